using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>A logger that keeps every message it is given, for tests of what goes to the log instead of an event.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_lock)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
