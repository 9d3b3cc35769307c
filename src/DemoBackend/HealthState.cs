namespace DemoBackend;

/// <summary>Whether the backend answers its probes well: the clock against its options, and what /admin has asked for.</summary>
internal sealed class HealthState : IDisposable
{
    private readonly TimeProvider time;
    private readonly BackendOptions options;
    private readonly long started;
    private readonly ITimer? healthyForExpiry;

    // Swapped whole, so that /admin/recover changes them all at once for every reader; writers take the lock.
    private readonly Lock writeGate = new();
    private volatile Overrides overrides = new(LivenessFailed: false, ReadinessFailed: false, Recovered: false, RequestsFailed: false);

    public HealthState(BackendOptions options, TimeProvider time)
    {
        this.time = time;
        this.options = options;
        started = time.GetTimestamp();
        if (options.HealthyFor is { } healthyFor)
        {
            healthyForExpiry = time.CreateTimer(_ => LivenessChanged?.Invoke(), null, healthyFor, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Raised when <see cref="IsLive"/> may have changed; handlers read the state again.</summary>
    public event Action? LivenessChanged;

    public bool IsLive
    {
        get
        {
            var current = overrides;
            return !current.LivenessFailed && (current.Recovered || !Elapsed(options.HealthyFor));
        }
    }

    public bool IsReady => !overrides.ReadinessFailed && Elapsed(options.ReadyAfter);

    /// <summary>Whether <c>/</c> answers 500 (an outlier whose probes still pass).</summary>
    public bool RequestsFail => overrides.RequestsFailed;

    public void FailRequests() => Update(o => o with { RequestsFailed = true });

    public void FailLiveness() => Update(o => o with { LivenessFailed = true });

    public void FailReadiness() => Update(o => o with { ReadinessFailed = true });

    /// <summary>Undoes the failures and the expiry of --healthy-for.</summary>
    public void Recover() => Update(_ => new Overrides(LivenessFailed: false, ReadinessFailed: false, Recovered: true, RequestsFailed: false));

    public void Dispose() => healthyForExpiry?.Dispose();

    private bool Elapsed(TimeSpan? after) => after is { } a && time.GetElapsedTime(started) >= a;

    private void Update(Func<Overrides, Overrides> change)
    {
        lock (writeGate)
        {
            overrides = change(overrides);
        }

        LivenessChanged?.Invoke();
    }

    private sealed record Overrides(bool LivenessFailed, bool ReadinessFailed, bool Recovered, bool RequestsFailed);
}
