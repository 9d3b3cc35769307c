using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// Lets through only ready endpoints; when a service has none, serving-and-terminating ones, as
/// kube-proxy does. A destination with no known endpoint (a pod that has not passed readiness) gets
/// nothing, unlike YARP's default, which would send traffic to an Unknown destination.
/// </summary>
internal sealed class ReadyDestinationsPolicy(EndpointTable endpoints) : IAvailableDestinationsPolicy
{
    public const string PolicyName = "Gateway.Ready";

    public string Name => PolicyName;

    // YARP spells the member this way.

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        var table = endpoints.Current;
        var ready = new List<DestinationState>(allDestinations.Count);
        foreach (var destination in allDestinations)
        {
            if (table.TryGetValue(destination.DestinationId, out var endpoint) && endpoint.Ready)
            {
                ready.Add(destination);
            }
        }

        if (ready.Count > 0)
        {
            return ready;
        }

        foreach (var destination in allDestinations)
        {
            if (table.TryGetValue(destination.DestinationId, out var endpoint) && endpoint.Serving && endpoint.Terminating)
            {
                ready.Add(destination);
            }
        }

        return ready;
    }
}
