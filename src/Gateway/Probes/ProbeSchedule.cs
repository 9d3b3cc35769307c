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

    /// <summary>A tick is skipped while the whole seconds since the container started are below <c>initialDelaySeconds</c>.</summary>
    public static bool InInitialDelay(TimeSpan sinceContainerStart, int initialDelaySeconds) =>
        (long)Math.Floor(sinceContainerStart.TotalSeconds) < initialDelaySeconds;
}
