using Gateway.Events;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Telemetry;

namespace Gateway.Hosting;

/// <summary>
/// Subscribes the layers above to the events of the layers below, at start and before any pod
/// exists: routing's endpoints and telemetry's per-pod state follow the pod registry, the retry
/// counter follows the retry middleware, <c>/readyz</c> follows the host's start.
/// </summary>
internal sealed class EventWiring(
    PodRegistry registry, EndpointTable endpoints, ProbeStatusStore probes, ContainerRestarts restarts, RetryMiddleware retries, GatewayMetrics metrics,
    GatewayStatus status, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Changed += endpoints.OnPodChanged;
        registry.Changed += probes.OnPodChanged;
        registry.Changed += restarts.OnPodChanged;
        retries.Retried += metrics.RecordRetry;
        lifetime.ApplicationStarted.Register(() => status.Started = true);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
