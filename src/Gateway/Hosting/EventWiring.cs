using Gateway.Controllers;
using Gateway.Events;
using Gateway.Kubernetes;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Specs;
using Gateway.Static;
using Gateway.Telemetry;

namespace Gateway.Hosting;

/// <summary>
/// Subscribes the layers above to the events of the layers below, at start and before any pod
/// exists: routing's endpoints and telemetry's per-pod state follow the pod registry, the retry
/// counter follows the retry middleware, <c>/readyz</c> follows the host's start, and an endpoint
/// the proxy ejected has its readiness rechecked by whoever probes it: its pod, or the Static or
/// Kubernetes controller.
/// </summary>
internal sealed class EventWiring(
    PodRegistry registry, EndpointTable endpoints, ProbeStatusStore probes, ContainerRestarts restarts, RetryMiddleware retries, GatewayMetrics metrics,
    GatewayStatus status, IHostApplicationLifetime lifetime, ServiceCatalog catalog, PodManager pods, StaticEndpointsController statics,
    KubernetesEndpointsController clusters, OutlierDetection outliers, EventRecorder events) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Changed += endpoints.OnPodChanged;
        registry.Changed += probes.OnPodChanged;
        registry.Changed += restarts.OnPodChanged;
        endpoints.Ejected += Recheck;
        outliers.Ejected += metrics.RecordEjection;
        outliers.Ejected += RecordEjected;
        retries.Retried += metrics.RecordRetry;
        lifetime.ApplicationStarted.Register(() => status.Started = true);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An outlier ejection's event on its pod (a pod the gateway runs): why, and when it returns.</summary>
    private void RecordEjected(Ejection ejection)
    {
        if (ejection.HasPod && registry.Pods.GetValueOrDefault(ejection.PodName) is { } pod)
        {
            events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "Ejected", ejection.Message);
        }
    }

    private void Recheck(Routing.Endpoint ejected)
    {
        switch (catalog.Find(ejected.Service)?.Backend)
        {
            case PodsBackend:
                pods.Find(ejected.PodName)?.RecheckReadiness();
                break;
            case StaticBackend:
                statics.Recheck(ejected.Service, Routing.Endpoint.ExternalKey(ejected.Service, ejected.DestinationId));
                break;
            case ClusterBackend:
                clusters.Recheck(ejected.Service, Routing.Endpoint.ExternalKey(ejected.Service, ejected.DestinationId));
                break;
        }
    }
}
