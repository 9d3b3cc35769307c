using Gateway.Pods;
using Yarp.ReverseProxy;

namespace Gateway.Routing;

/// <summary>
/// Waits for a terminating pod's in-flight requests. The pod is already out of rotation: the
/// registry marked it terminating before the drain began, and the policy sends it nothing new.
/// Requests still in flight at the deadline (long-lived ones: WebSockets, event streams, long polls)
/// are closed there, so that they never hold the pod past its drain's share of the grace.
/// </summary>
internal sealed partial class ProxyDrainer(IServiceProvider services, EndpointTable endpoints, InFlightRequests inFlight, TimeProvider time, ILogger<ProxyDrainer> logger) : IPodDrainer
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var lookup = services.GetRequiredService<IProxyStateLookup>();
        while (true)
        {
            if (endpoints.ForPod(pod.Name) is not { } endpoint
                || !lookup.TryGetCluster(pod.ServiceName, out var cluster)
                || !cluster.Destinations.TryGetValue(endpoint.DestinationId, out var destination)
                || destination.ConcurrentRequestCount == 0)
            {
                return;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                Log.Closing(logger, pod.Name, destination.ConcurrentRequestCount);
                inFlight.Close(endpoint.DestinationId);
                return;
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, time, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "pod {Pod}: drain deadline: closing {Requests} request(s) still in flight")]
        public static partial void Closing(ILogger logger, string pod, int requests);
    }
}
