using Microsoft.Extensions.Logging.Console;

namespace Gateway.Hosting;

/// <summary>
/// Checks the <c>Logging</c> section the way its readers will bind it, so that a bad log level is a
/// field error at start and a refused reload, not a failure of the logger factory.
/// </summary>
internal static class LoggingSettings
{
    /// <summary>
    /// ASP.NET Core's request logger. While it is enabled at any level, hosting starts an
    /// <see cref="System.Diagnostics.Activity"/> for every request (for log scopes) whether or not
    /// anything records it; off, a request with no trace listener makes none. It logs only the
    /// per-request lines (and a start-up failure, which the gateway reports itself).
    /// </summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

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

    /// <summary>
    /// <see cref="Defaults"/>, and <see cref="RequestLogCategory"/> off unless <paramref name="user"/>
    /// (the user's sources) asks for its lines: a level below Warning for it or for a category it falls
    /// under (<c>Microsoft</c>, <c>Microsoft.AspNetCore</c>, ..., or a wildcard that matches it), for any
    /// logger. It writes nothing at Warning or above that the gateway does not report itself, so a user
    /// who asks for ASP.NET Core's request lines gets them, and nobody else pays for an activity per request.
    /// A level the user sets for the category itself wins, as every source wins over the defaults.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> DefaultsFor(IConfiguration user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var defaults = new Dictionary<string, string?>(Defaults, StringComparer.OrdinalIgnoreCase);
        if (!user.GetSection("Logging").AsEnumerable(makePathsRelative: true).Any(p => AsksForRequestLines(p.Key, p.Value)))
        {
            defaults[$"Logging:LogLevel:{RequestLogCategory}"] = nameof(LogLevel.None);
        }

        return defaults;
    }

    /// <summary>Whether a <c>Logging</c> key (<c>LogLevel:CATEGORY</c> or <c>PROVIDER:LogLevel:CATEGORY</c>) sets a level below Warning that applies to <see cref="RequestLogCategory"/>.</summary>
    private static bool AsksForRequestLines(string key, string? value)
    {
        if (!Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) || level >= LogLevel.Warning)
        {
            return false;
        }

        var at = key.LastIndexOf("LogLevel:", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || (at > 0 && key[at - 1] != ':'))
        {
            return false;
        }

        var category = key[(at + "LogLevel:".Length)..];
        if (category.Equals("Default", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // The logger factory's rule: one '*' splits a category into a prefix and a suffix.
        var star = category.IndexOf('*', StringComparison.Ordinal);
        return star < 0
            ? RequestLogCategory.StartsWith(category, StringComparison.OrdinalIgnoreCase) && (category.Length == RequestLogCategory.Length || RequestLogCategory[category.Length] == '.')
            : RequestLogCategory.StartsWith(category[..star], StringComparison.OrdinalIgnoreCase) && RequestLogCategory.EndsWith(category[(star + 1)..], StringComparison.OrdinalIgnoreCase);
    }

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
                errors.Add($"{console.Path}: Invalid value: {Specs.GoSyntax.OneLine(e.Message)}");
            }
        }

        return errors;
    }
}
