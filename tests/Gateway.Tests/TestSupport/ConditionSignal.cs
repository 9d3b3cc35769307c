namespace Gateway.Tests.TestSupport;

/// <summary>
/// Lets a test wait, without sleeping, until a condition over state that other threads change holds:
/// the changing side calls <see cref="Notify"/> after each change, and each waiter re-checks its
/// condition then. A bounded timeout is only a safety net against a hung test.
/// </summary>
internal sealed class ConditionSignal
{
    public static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30); // CI runs the integration tests beside these on 2 cores

    private readonly Lock _lock = new();
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Completes once <paramref name="condition"/> is true; fails after <see cref="SafetyNet"/>.</summary>
    public async Task WaitAsync(Func<bool> condition, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition())
            {
                return;
            }

            _waiters.Add((condition, done));
        }

        try
        {
            await done.Task.WaitAsync(SafetyNet);
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }

            throw new TimeoutException($"timed out waiting for {what}");
        }
    }

    /// <summary>Re-checks every waiting condition; call after each change of the state they read.</summary>
    public void Notify()
    {
        lock (_lock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition())
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
