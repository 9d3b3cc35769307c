using Gateway.Admin;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// Hot reload: watches the settings file and the manifests it names (a poll of their size and time
/// every second, which also works on mounted volumes where inotify does not), re-reads the
/// configuration, and applies it only when it validates whole. A refused file changes nothing that
/// runs; its errors are logged, shown by <c>/readyz</c> and recorded as an event.
/// </summary>
internal sealed partial class ConfigReloader(
    IConfigurationRoot configuration, string settingsPath, ServiceCatalog catalog, GatewayStatus status,
    EventRecorder events, TimeProvider time, ILogger<ConfigReloader> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Fingerprint(catalog.Current);
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = Fingerprint(catalog.Current);
                if (now != seen)
                {
                    seen = now;
                    Reload();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Re-reads and applies the configuration; returns its errors (none when applied).</summary>
    public IReadOnlyList<string> Reload()
    {
        IReadOnlyList<string> errors;
        GatewaySpec spec;
        try
        {
            configuration.Reload();
            spec = GatewaySpecLoader.Load(configuration, Path.GetDirectoryName(settingsPath)!, out errors);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or System.Text.Json.JsonException)
        {
            errors = [$"{settingsPath}: {e.Message}"];
            spec = catalog.Current;
        }

        if (errors.Count > 0)
        {
            Log.Refused(logger, settingsPath, errors.Count, string.Join(Environment.NewLine, errors));
            events.Record("default", "gateway", "", PodAction.Warning, "ConfigRejected",
                $"{settingsPath}: {errors.Count} error(s): {string.Join("; ", errors)}", kind: "Gateway");
            status.SetProblem("config", $"reload of {settingsPath} refused, the previous configuration keeps running: {string.Join("; ", errors)}");
            return errors;
        }

        var current = catalog.Current;
        if (spec.ProxyUrls != current.ProxyUrls || spec.AdminUrls != current.AdminUrls)
        {
            Log.ListenersNeedRestart(logger);
        }

        status.SetProblem("config", null);
        catalog.Update(spec with { ProxyUrls = current.ProxyUrls, AdminUrls = current.AdminUrls });
        Log.Applied(logger, settingsPath, spec.Services.Count);
        events.Record("default", "gateway", "", PodAction.Normal, "ConfigApplied", $"{settingsPath}: {spec.Services.Count} service(s)", kind: "Gateway");
        return [];
    }

    private string Fingerprint(GatewaySpec spec)
    {
        static string Stamp(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? $"{file}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"{file}:missing";
        }

        return string.Join('|', spec.Services.SelectMany(s => s.SourceFiles).Prepend(settingsPath).Distinct().Select(Stamp));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Error, Message = "configuration reload refused: {File} has {Count} error(s); the previous configuration keeps running:\n{Errors}")]
        public static partial void Refused(ILogger logger, string file, int count, string errors);

        [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "configuration reloaded from {File}: {Count} service(s)")]
        public static partial void Applied(ILogger logger, string file, int count);

        [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "Proxy and Admin URLs changed in the settings file take effect at the next start")]
        public static partial void ListenersNeedRestart(ILogger logger);
    }
}
