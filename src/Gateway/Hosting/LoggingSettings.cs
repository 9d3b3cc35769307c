using Microsoft.Extensions.Logging.Console;

namespace Gateway.Hosting;

/// <summary>
/// Checks the <c>Logging</c> section the way its readers will bind it, so that a bad log level is a
/// field error at start and a refused reload, not a failure of the logger factory.
/// </summary>
internal static class LoggingSettings
{
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var logging = configuration.GetSection("Logging");
        var errors = new List<string>();
        foreach (var (key, value) in logging.AsEnumerable())
        {
            var isLevel = key.Contains(":LogLevel:", StringComparison.OrdinalIgnoreCase) || key.EndsWith(":LogToStandardErrorThreshold", StringComparison.OrdinalIgnoreCase);
            if (isLevel && value is not null && !(Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level)))
            {
                errors.Add($"{key}: Unsupported value: \"{value}\": supported values: {string.Join(", ", Enum.GetNames<LogLevel>().Select(n => $"\"{n}\""))}");
            }
        }

        if (errors.Count == 0)
        {
            // The console logger's own options, bound as it binds them.
            var console = logging.GetSection("Console");
            try
            {
                console.Get<ConsoleLoggerOptions>();
                console.GetSection("FormatterOptions").Get<SimpleConsoleFormatterOptions>();
            }
            catch (InvalidOperationException e)
            {
                errors.Add($"{console.Path}: Invalid value: {GatewayHost.OneLine(e.Message)}");
            }
        }

        return errors;
    }
}
