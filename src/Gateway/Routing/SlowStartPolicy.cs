using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// Slow start: a pod that just became ready gets a share of new requests that grows linearly over
/// the service's window, from 10 % of a settled pod's share to all of it, so a cold pod (empty
/// caches, JIT not warmed) is not handed a full share at once. Settled pods share round-robin.
/// The window comes with the cluster (<see cref="ClusterSettings"/>), each pod's ready time with the
/// available destinations (<see cref="ReadyDestinations"/>): a pick looks nothing up.
/// </summary>
internal sealed class SlowStartPolicy(TimeProvider time) : ILoadBalancingPolicy
{
    public const string PolicyName = "Gateway.SlowStart";

    /// <summary>A new pod's weight at the start of its window.</summary>
    public const double MinimumWeight = 0.1;

    private int _next = -1;

    public string Name => PolicyName;

    /// <summary>A pod's weight <paramref name="readyFor"/> after it became ready, in a window of <paramref name="window"/>.</summary>
    public static double Weight(TimeSpan readyFor, TimeSpan window) =>
        window <= TimeSpan.Zero || readyFor >= window ? 1 : Math.Max(MinimumWeight, readyFor / window);

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(availableDestinations);
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        var window = ClusterSettings.Of(cluster.Model.Config).SlowStart;
        var now = time.GetUtcNow();
        var ready = availableDestinations as ReadyDestinations;
        Span<double> weights = availableDestinations.Count <= 64 ? stackalloc double[availableDestinations.Count] : new double[availableDestinations.Count];
        double total = 0;
        var warming = false;
        for (var i = 0; i < availableDestinations.Count; i++)
        {
            weights[i] = ready?.EndpointAt(i).ReadySince is { } since ? Weight(now - since, window) : 1;
            warming |= weights[i] < 1;
            total += weights[i];
        }

        if (!warming)
        {
            var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)availableDestinations.Count);
            return availableDestinations[index];
        }

        var pick = Random.Shared.NextDouble() * total;
        for (var i = 0; i < availableDestinations.Count; i++)
        {
            pick -= weights[i];
            if (pick < 0)
            {
                return availableDestinations[i];
            }
        }

        return availableDestinations[^1];
    }
}
