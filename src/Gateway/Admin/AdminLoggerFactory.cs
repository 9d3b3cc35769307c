
namespace Gateway.Admin;

/// <summary>
/// The gateway's logger factory as the admin app sees it: ASP.NET Core's own categories only from
/// Warning up, so scrapes and status-page reloads do not log a line per request.
/// </summary>
internal sealed class AdminLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string AspNetCore = "Microsoft.AspNetCore";

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(AspNetCore, StringComparison.Ordinal) ? new WarningsOnly(inner.CreateLogger(categoryName)) : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The inner factory belongs to the gateway; it is not disposed here.</summary>
    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
