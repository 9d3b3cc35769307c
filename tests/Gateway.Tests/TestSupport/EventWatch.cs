using Gateway.Events;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// An <see cref="EventRecorder"/> a test can wait on: the recorder logs each event after it is in
/// <see cref="EventRecorder.Snapshot"/>, and this logger wakes the waiters then.
/// </summary>
internal sealed class EventWatch
{
    private readonly ConditionSignal _changed = new();

    public EventWatch(TimeProvider time) => Recorder = new EventRecorder(time, new NotifyingLogger(_changed));

    public EventRecorder Recorder { get; }

    public IReadOnlyList<GatewayEvent> Snapshot => Recorder.Snapshot;

    /// <summary>The first recorded event that matches, once there is one.</summary>
    public async Task<GatewayEvent> WaitForAsync(Func<GatewayEvent, bool> match, string what)
    {
        await _changed.WaitAsync(() => Snapshot.Any(match), what);
        return Snapshot.First(match);
    }

    /// <summary>Completes once <paramref name="count"/> recorded events (repeats folded in counted each time) match.</summary>
    public Task WaitForCountAsync(Func<GatewayEvent, bool> match, int count, string what) =>
        _changed.WaitAsync(() => Snapshot.Where(match).Sum(e => e.Count) >= count, what);

    private sealed class NotifyingLogger(ConditionSignal changed) : ILogger<EventRecorder>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => changed.Notify();
    }
}
