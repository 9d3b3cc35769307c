using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that keeps the timers it created, so a test can wait until code
/// on another thread has armed a timer (before advancing the clock past it) or disposed one, which is
/// how a probe worker's loop ends.
/// </summary>
internal sealed class TrackingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _lock = new();
    private readonly List<TrackedTimer> _timers = [];
    private readonly ConditionSignal _changed = new();

    public IReadOnlyList<TrackedTimer> Timers
    {
        get
        {
            lock (_lock)
            {
                return [.. _timers];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, dueTime);
        lock (_lock)
        {
            _timers.Add(tracked);
        }

        // The fake fires a timer that is due at once inside CreateTimer, so the inner timer is set last.
        tracked.Inner = base.CreateTimer(callback, state, dueTime, period);
        _changed.Notify();
        return tracked;
    }

    /// <summary>Completes once <paramref name="count"/> timers have been created in all.</summary>
    public Task WaitForTimersAsync(int count) => _changed.WaitAsync(() => Timers.Count >= count, $"{count} timer(s) created");

    /// <summary>Completes once a timer due after <paramref name="dueTime"/> is armed (created and not disposed).</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime) =>
        _changed.WaitAsync(() => Timers.Any(t => t.DueTime == dueTime && !t.IsDisposed), $"a timer due in {dueTime}");

    /// <summary>Completes once <paramref name="timer"/> has been disposed.</summary>
    public Task WaitForDisposedAsync(TrackedTimer timer) => _changed.WaitAsync(() => timer.IsDisposed, "a timer to be disposed");

    public sealed class TrackedTimer(TrackingTimeProvider owner, TimeSpan dueTime) : ITimer
    {
        private volatile bool _disposed;

        /// <summary>When the timer was first due, counted from its creation.</summary>
        public TimeSpan DueTime => dueTime;

        internal ITimer? Inner { get; set; }

        public bool IsDisposed => _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner!.Change(dueTime, period);

        public void Dispose()
        {
            Inner?.Dispose();
            _disposed = true;
            owner._changed.Notify();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
