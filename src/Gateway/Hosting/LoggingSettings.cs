using Microsoft.Extensions.Logging.Console;

namespace Gateway.Hosting;

/// <summary>
/// Checks the <c>Logging</c> section the way its readers will bind it, so that a bad log level is a
/// field error at start and a refused reload, not a failure of the logger factory.
/// </summary>
internal static class LoggingSettings
{
    /// <summary>
    /// The framework's chatty categories at Warning, beneath every other source, so a settings file
    /// without a <c>Logging</c> section logs nothing per proxied request (ASP.NET Core's hosting and
    /// YARP's forwarder would log three lines a request at Information), and one that names a category
    /// gets what it names. Requests are logged by the access log, when it is on.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:Yarp"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:System.Net.Http"] = nameof(LogLevel.Warning),
    };

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
