namespace Gateway.Probes;

/// <summary>When a probe worker ticks and when a tick is skipped (docs/semantics.md#probe-schedule and #probe-initial-delay).</summary>
public static class ProbeSchedule
{
    /// <summary>
    /// The first tick is at once, except when the gateway itself started less than one period ago:
    /// then after a random jitter in [0, period), so that probes of adopted or restarted pods spread out.
    /// </summary>
    public static TimeSpan FirstTickDelay(TimeSpan period, TimeSpan gatewayUptime, double random01) =>
        gatewayUptime < period ? TimeSpan.FromTicks((long)(period.Ticks * Math.Clamp(random01, 0, 0.999999))) : TimeSpan.Zero;

    /// <summary>The grid ticks are put on: probes due within the same 10 ms wake the process once, as a batch.</summary>
    public static readonly TimeSpan TickGrid = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// <paramref name="delay"/> moved to the nearest earlier point of the clock's <see cref="TickGrid"/>
    /// (or the next one, when the earlier one has passed). At 1,000 pods each probe's timer at its own
    /// phase woke a thread a thousand times a second; on the grid, about ten probes share a wake-up, and
    /// since a periodic timer keeps its phase, so do all their later ticks. A tick moves by less than
    /// 10 ms, well inside the kubelet's own timing.
    /// </summary>
    public static TimeSpan OnTickGrid(TimeSpan delay, DateTimeOffset now)
    {
        var offset = (now + delay).UtcTicks % TickGrid.Ticks;
        var earlier = delay - TimeSpan.FromTicks(offset);
        return earlier >= TimeSpan.Zero ? earlier : earlier + TickGrid;
    }

    /// <summary>A tick is skipped while the whole seconds since the container started are below <c>initialDelaySeconds</c>.</summary>
    public static bool InInitialDelay(TimeSpan sinceContainerStart, int initialDelaySeconds) =>
        (long)Math.Floor(sinceContainerStart.TotalSeconds) < initialDelaySeconds;
}
