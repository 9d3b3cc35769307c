using Gateway.Specs;

namespace Gateway.Routing;

/// <summary>
/// Envoy's retry budget for one service, counted in failure events rather than in requests: retries
/// in flight may stand for at most <see cref="RetrySpec.BudgetPercent"/> of the active requests (at
/// least <see cref="RetrySpec.MinConcurrent"/>) distinct failed destinations. When a pod dies, every
/// request on its connections fails at the same instant; those retries are one event, not many, and
/// they add no load: they carry what the dead pod was carrying. Counting them one by one is what made
/// 1 request in 65 fail with slow requests (four 1-second requests on the killed pod, three slots).
/// Failures on many destinations at once, the storm the budget is for, are still held to it; a retry
/// over it waits a moment for a slot and then fails as Envoy's would.
/// </summary>
internal sealed class RetryBudget(TimeProvider time)
{
    /// <summary>How long a retry over the budget waits for a slot before its request fails.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(5);

    private readonly Lock _lock = new();

    /// <summary>Failed destinations with retries in flight, and how many.</summary>
    private readonly Dictionary<string, int> _bursts = new(StringComparer.Ordinal);
    private int _active;

    /// <summary>Requests in flight, retried or not.</summary>
    public int Active => Volatile.Read(ref _active);

    public void RequestStarted() => Interlocked.Increment(ref _active);

    public void RequestEnded() => Interlocked.Decrement(ref _active);

    /// <summary>The distinct failed destinations whose retries may be in flight at once.</summary>
    public static int Allowed(int active, RetrySpec settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Math.Max(settings.MinConcurrent, (int)(active * settings.BudgetPercent / 100));
    }

    /// <summary>Enters a retry of a request that failed on <paramref name="failedDestination"/>, at once when its burst already has a slot.</summary>
    public bool TryEnter(string failedDestination, RetrySpec settings)
    {
        lock (_lock)
        {
            if (_bursts.TryGetValue(failedDestination, out var inFlight))
            {
                _bursts[failedDestination] = inFlight + 1;
                return true;
            }

            if (_bursts.Count >= Allowed(Active, settings))
            {
                return false;
            }

            _bursts[failedDestination] = 1;
            return true;
        }
    }

    /// <summary><see cref="TryEnter"/>, waiting up to <see cref="MaxWait"/> for a slot.</summary>
    public async ValueTask<bool> EnterAsync(string failedDestination, RetrySpec settings, CancellationToken aborted)
    {
        var deadline = time.GetTimestamp() + (long)(MaxWait.TotalSeconds * time.TimestampFrequency);
        while (!TryEnter(failedDestination, settings))
        {
            if (time.GetTimestamp() >= deadline || aborted.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(WaitStep, time, CancellationToken.None);
        }

        return true;
    }

    /// <summary>A retry entered for <paramref name="failedDestination"/> is over.</summary>
    public void Leave(string failedDestination)
    {
        lock (_lock)
        {
            if (_bursts.TryGetValue(failedDestination, out var inFlight))
            {
                if (inFlight <= 1)
                {
                    _bursts.Remove(failedDestination);
                }
                else
                {
                    _bursts[failedDestination] = inFlight - 1;
                }
            }
        }
    }
}
