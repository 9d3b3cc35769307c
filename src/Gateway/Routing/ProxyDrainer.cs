using Gateway.Pods;
using Yarp.ReverseProxy;

namespace Gateway.Routing;

/// <summary>
/// Waits for a terminating pod's in-flight requests. The pod is already out of rotation: the
/// registry marked it terminating before the drain began, and the policy sends it nothing new.
/// </summary>
internal sealed class ProxyDrainer(IServiceProvider services, EndpointTable endpoints, TimeProvider time) : IPodDrainer
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var lookup = services.GetRequiredService<IProxyStateLookup>();
        while (time.GetUtcNow() < deadline)
        {
            if (endpoints.ForPod(pod.Name) is not { } endpoint
                || !lookup.TryGetCluster(pod.ServiceName, out var cluster)
                || !cluster.Destinations.TryGetValue(endpoint.DestinationId, out var destination)
                || destination.ConcurrentRequestCount == 0)
            {
                return;
            }

            var left = deadline - time.GetUtcNow();
            await Task.Delay(left < PollInterval ? left : PollInterval, time, cancellationToken);
        }
    }
}
