using System.Globalization;
using System.Net;
using Gateway.Events;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Gateway.Kubernetes;

/// <summary>
/// Keeps one Kubernetes service's endpoints in the <see cref="EndpointTable"/>, the way a client-go
/// reflector does: list, then watch from the list's resourceVersion with bookmarks; a dropped watch
/// resumes from the last resourceVersion seen; <c>410 Gone</c> and a request that fails force a relist. While the API
/// server cannot be reached the last known endpoints keep routing, <c>/readyz</c> says so, and an
/// event records it; retries back off from 1 s to 30 s.
/// </summary>
internal sealed partial class EndpointSliceWatcher : IAsyncDisposable
{
    public static readonly TimeSpan InitialBackOff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DropPause = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one watch request may last before the API server ends it and it is renewed.</summary>
    public const int WatchTimeoutSeconds = 300;

    private readonly ServiceSpec _service;
    private readonly ClusterBackend _cluster;
    private readonly IKubernetes _client;
    private readonly EndpointTable _endpoints;
    private readonly GatewayStatus _status;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EndpointProbes? _prober;
    private readonly Dictionary<string, V1EndpointSlice> _slices = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly string? _portName;
    private IReadOnlyList<ClusterEndpoint> _known = [];
    private bool _unreachable;

    public EndpointSliceWatcher(
        ServiceSpec service, IKubernetes client, EndpointTable endpoints, GatewayStatus status, EventRecorder events, IProber prober, TimeProvider time,
        DateTimeOffset gatewayStartedAt, IProbeObserver? observer, ILogger logger)
    {
        _service = service;
        _cluster = service.Backend as ClusterBackend ?? throw new ArgumentException($"service {service.Name} is not a Kubernetes service", nameof(service));
        _client = client;
        _endpoints = endpoints;
        _status = status;
        _events = events;
        _time = time;
        _logger = logger;
        if (_cluster.ReadinessProbe is { } probe)
        {
            _portName = int.TryParse(_cluster.Port, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : _cluster.Port;
            _prober = new EndpointProbes(probe, _cluster.Namespace, service.Name, "cluster", prober, time, gatewayStartedAt, events, observer, Publish);
        }
    }

    private string LabelSelector => $"{EndpointSliceEndpoints.ServiceNameLabel}={_cluster.Service}";

    private string StatusSource => $"kubernetes/{_service.Name}";

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        string? resourceVersion = null;
        var backOff = InitialBackOff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(stoppingToken);
                    Reachable();
                    backOff = InitialBackOff;
                }

                var gone = false;
                try
                {
                    var watch = _client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(
                        _cluster.Namespace, allowWatchBookmarks: true, labelSelector: LabelSelector, resourceVersion: resourceVersion,
                        timeoutSeconds: WatchTimeoutSeconds, onError: e => gone |= e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone },
                        cancellationToken: stoppingToken);
                    await foreach (var (type, slice) in watch)
                    {
                        Reachable();
                        backOff = InitialBackOff;
                        resourceVersion = slice.Metadata?.ResourceVersion ?? resourceVersion;
                        if (type != WatchEventType.Bookmark)
                        {
                            Apply(type, slice);
                        }
                    }
                }
                catch (IOException e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The stream broke after it was open (a refused connection is an HttpRequestException):
                    // resume from the last resourceVersion, after a pause that keeps a flapping link from spinning.
                    LogWatchDropped(_logger, _service.Name, e.Message);
                    await Task.Delay(DropPause, _time, stoppingToken);
                }

                if (gone)
                {
                    LogRelist(_logger, _service.Name, resourceVersion);
                    resourceVersion = null;
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                LogRelist(_logger, _service.Name, resourceVersion);
                resourceVersion = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or HttpOperationException or IOException or TaskCanceledException or k8s.Exceptions.KubernetesClientException)
            {
                Unreachable(e is HttpOperationException h ? $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}: {h.Response.Content}" : e.Message);

                // As client-go's reflector does after a failed request: list again once the server answers,
                // which also tells at once that it is back, even when nothing changed meanwhile.
                resourceVersion = null;
                try
                {
                    await Task.Delay(backOff, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
            }
        }
    }

    private async Task<string?> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.DiscoveryV1.ListNamespacedEndpointSliceAsync(_cluster.Namespace, labelSelector: LabelSelector, cancellationToken: cancellationToken);
        lock (_lock)
        {
            _slices.Clear();
            foreach (var slice in list.Items ?? [])
            {
                _slices[slice.Metadata.Name] = slice;
            }
        }

        Publish();
        LogListed(_logger, _service.Name, list.Items?.Count ?? 0, list.Metadata?.ResourceVersion);
        return list.Metadata?.ResourceVersion ?? "";
    }

    private void Apply(WatchEventType type, V1EndpointSlice slice)
    {
        lock (_lock)
        {
            if (type == WatchEventType.Deleted)
            {
                _slices.Remove(slice.Metadata.Name);
            }
            else
            {
                _slices[slice.Metadata.Name] = slice;
            }
        }

        Publish();
    }

    /// <summary>Computes the endpoints from the slices (and the gateway-side probes) and hands them to routing.</summary>
    private void Publish()
    {
        List<Routing.Endpoint> routed;
        lock (_lock)
        {
            _known = EndpointSliceEndpoints.From(_slices.Values, _cluster.Port);
            _prober?.Sync(_known.Select(e => new ProbedEndpoint(e.Key, e.PodName, e.Host, e.Port, _portName)));
            routed = [.. _known.Select(e => new Routing.Endpoint(
                _service.Name,
                e.PodName,
                Routing.Endpoint.ExternalDestinationId(_service.Name, e.Key),
                $"http://{Probes.Handlers.ProbeAddress.JoinHostPort(e.Host, e.Port)}",
                Serving: e.Serving && (_prober?.IsReady(e.Key) ?? true),
                Terminating: e.Terminating,
                HasPod: e.HasPod))];
        }

        _endpoints.SetServiceEndpoints(_service.Name, routed);
    }

    private void Reachable()
    {
        lock (_lock)
        {
            if (!_unreachable)
            {
                return;
            }

            _unreachable = false;
        }

        _status.SetProblem(StatusSource, null);
        _events.Record(_cluster.Namespace, _cluster.Service, "", EventType.Normal, "WatchResumed",
            $"the API server answers again; gateway service {_service.Name} follows the Service's EndpointSlices", kind: "Service");
    }

    private void Unreachable(string why)
    {
        int count;
        lock (_lock)
        {
            _unreachable = true;
            count = _known.Count;
        }

        var message = $"service {_service.Name}: cannot watch the EndpointSlices of Service {_cluster.Namespace}/{_cluster.Service}: {why}; routing to the last known {count.ToString(CultureInfo.InvariantCulture)} endpoint(s)";
        _status.SetProblem(StatusSource, message);
        _events.Record(_cluster.Namespace, _cluster.Service, "", EventType.Warning, "WatchFailed", message, kind: "Service");
    }

    /// <summary>The proxy could not connect to an endpoint: its gateway-side probe runs now.</summary>
    public void Recheck(string key) => _prober?.Recheck(key);

    public ValueTask DisposeAsync() => _prober?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "{Service}: listed {Count} EndpointSlice(s) at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string service, int count, string? resourceVersion);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "{Service}: resourceVersion {ResourceVersion} is gone (410); listing again")]
    private static partial void LogRelist(ILogger logger, string service, string? resourceVersion);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "{Service}: the watch was dropped ({Reason}); resuming from the last resourceVersion")]
    private static partial void LogWatchDropped(ILogger logger, string service, string reason);
}
