using Gateway.Events;
using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// Hot reload: watches the settings file and the manifests it names (a poll every second of what
/// they resolve to and hold, see <see cref="FileFingerprint"/>, which also works on mounted volumes
/// where inotify does not and through a ConfigMap's symbolic links), reads the settings again the
/// way start-up does, and applies them only when they validate whole. A refused file changes nothing
/// that runs; its errors are logged, shown by <c>/readyz</c> and recorded as an event. Nothing a file
/// holds can end the poll or the host.
/// </summary>
internal sealed partial class ConfigReloader(
    SettingsReader settings, AppliedConfiguration applied, ServiceCatalog catalog, GatewayStatus status,
    EventRecorder events, TimeProvider time, ILogger<ConfigReloader> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Applies changed Proxy or Admin URLs: a hand-over to a new gateway process, which binds them (<see cref="Handover"/>).</summary>
    public Func<string, Task<HandoverResult>>? ListenersChanged { get; init; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Fingerprint();
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var now = Fingerprint();
                    if (!now.SequenceEqual(seen))
                    {
                        seen = now;
                        Reload();
                    }
                }
                catch (Exception e)
                {
                    // A bug in a reload must not stop the next one, nor the gateway.
                    Log.PollFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads and applies the settings; returns their errors (none when applied).</summary>
    public IReadOnlyList<string> Reload()
    {
        var read = settings.Read();
        if (read.Errors.Count > 0)
        {
            return Refuse(read.Errors);
        }

        var previous = catalog.Current;
        var spec = read.Spec!;
        var listenersChanged = spec.ProxyUrls != previous.ProxyUrls || spec.AdminUrls != previous.AdminUrls;

        try
        {
            catalog.Update(spec with { ProxyUrls = previous.ProxyUrls, AdminUrls = previous.AdminUrls });
        }
        catch (Exception e)
        {
            // A part of the gateway could not follow the new spec: every part goes back to the previous one.
            Log.ApplyFailed(logger, e);
            try
            {
                catalog.Update(previous);
            }
            catch (Exception again)
            {
                Log.RollbackFailed(logger, again);
            }

            return Refuse([$"{settings.SettingsPath}: could not be applied: {GatewayHost.Describe(e)}"]);
        }

        applied.Apply(read.Configuration!);
        status.SetProblem("config", null);
        Log.Applied(logger, settings.SettingsPath, spec.Services.Count);
        events.Record("default", "gateway", "", EventType.Normal, "ConfigApplied", $"{settings.SettingsPath}: {spec.Services.Count} service(s)", kind: "Gateway");
        if (listenersChanged)
        {
            Log.ListenersHandover(logger, spec.ProxyUrls, spec.AdminUrls);
            _ = ListenersChanged?.Invoke("Proxy or Admin URLs changed in the settings file");
        }

        return [];
    }

    private IReadOnlyList<string> Refuse(IReadOnlyList<string> errors)
    {
        var file = settings.SettingsPath;
        Log.Refused(logger, file, errors.Count, string.Join(Environment.NewLine, errors));
        events.Record("default", "gateway", "", EventType.Warning, "ConfigRejected", $"{file}: {errors.Count} error(s): {string.Join("; ", errors)}", kind: "Gateway");
        status.SetProblem("config", $"reload of {file} refused, the previous configuration keeps running: {string.Join("; ", errors)}");
        return errors;
    }

    // The proxy's certificate files too: a renewed certificate is read and checked like an edited file.
    private List<FileFingerprint> Fingerprint() =>
        [.. catalog.Current.Services.SelectMany(s => s.SourceFiles).Concat(catalog.Current.Routes.Select(r => r.SourceFile!)).Concat(catalog.Current.ProxyCertificates?.Files ?? []).Prepend(settings.SettingsPath).Distinct().Select(FileFingerprint.Of)];

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Error, Message = "configuration reload refused: {File} has {Count} error(s); the previous configuration keeps running:\n{Errors}")]
        public static partial void Refused(ILogger logger, string file, int count, string errors);

        [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "configuration reloaded from {File}: {Count} service(s)")]
        public static partial void Applied(ILogger logger, string file, int count);

        [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Proxy URLs {ProxyUrls} and Admin URLs {AdminUrls}: applied by a hand-over to a new gateway process")]
        public static partial void ListenersHandover(ILogger logger, string proxyUrls, string adminUrls);

        [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "configuration reload failed unexpectedly; the next change is read again")]
        public static partial void PollFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 804, Level = LogLevel.Error, Message = "a valid configuration could not be applied; going back to the previous one")]
        public static partial void ApplyFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 805, Level = LogLevel.Critical, Message = "going back to the previous configuration failed too")]
        public static partial void RollbackFailed(ILogger logger, Exception exception);
    }
}
