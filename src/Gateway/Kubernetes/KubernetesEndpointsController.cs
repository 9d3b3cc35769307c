using Gateway.Admin;
using Gateway.Events;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;
using k8s;

namespace Gateway.Kubernetes;

/// <summary>Runs one <see cref="EndpointSliceWatcher"/> per service whose Runtime is Kubernetes.</summary>
internal sealed class KubernetesEndpointsController(
    GatewaySpec spec, KubernetesClientConfiguration configuration, EndpointTable endpoints, GatewayStatus status,
    EventRecorder events, IProber prober, TimeProvider time, ILogger<KubernetesEndpointsController> logger) : BackgroundService
{
    private readonly List<EndpointSliceWatcher> _watchers = [];
    private k8s.Kubernetes? _client;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _client = new k8s.Kubernetes(configuration);
        foreach (var service in spec.Services.Where(s => s.Kubernetes is not null))
        {
            _watchers.Add(new EndpointSliceWatcher(service, _client, endpoints, status, events, prober, time, logger));
        }

        return Task.WhenAll(_watchers.Select(w => w.RunAsync(stoppingToken)));
    }

    public override void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _client?.Dispose();
        base.Dispose();
    }
}
