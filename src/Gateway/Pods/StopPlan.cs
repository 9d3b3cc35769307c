namespace Gateway.Pods;

/// <summary>
/// The timing of one stop (docs/semantics.md#termination-order), as plain values: the grace period
/// runs from <see cref="Started"/> to <see cref="Deadline"/>; the drain may use all of it but the
/// last <see cref="MinimumStopWindow"/>, so that the stop signal always has that long; the stop
/// signal gets what is left of the grace period, never less than <see cref="MinimumStopWindow"/>
/// (the kubelet's minimum after a preStop hook).
/// </summary>
public readonly record struct StopPlan(DateTimeOffset Started, DateTimeOffset Deadline, DateTimeOffset DrainDeadline)
{
    /// <summary>The least time between the stop signal and SIGKILL, as the kubelet's <c>minimumGracePeriodInSeconds</c>.</summary>
    public static readonly TimeSpan MinimumStopWindow = TimeSpan.FromSeconds(2);

    public static StopPlan Start(DateTimeOffset now, TimeSpan gracePeriod)
    {
        var grace = gracePeriod > TimeSpan.Zero ? gracePeriod : TimeSpan.Zero;
        var drainShare = grace - MinimumStopWindow;
        return new StopPlan(now, now + grace, now + (drainShare > TimeSpan.Zero ? drainShare : TimeSpan.Zero));
    }

    /// <summary>How long the stop signal sent at <paramref name="now"/> waits before SIGKILL: what is left of the grace period, at least 2 s.</summary>
    public TimeSpan StopSignalGrace(DateTimeOffset now)
    {
        var left = Deadline - now;
        return left > MinimumStopWindow ? left : MinimumStopWindow;
    }
}
