using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// Lets through only ready endpoints; when a service has none, serving-and-terminating ones, as
/// kube-proxy does. A destination with no known endpoint (a pod that has not passed readiness) gets
/// nothing, unlike YARP's default, which would send traffic to an Unknown destination.
/// YARP runs it only when availability is recomputed (the table's events, a config change), never
/// per request; what it returns carries each endpoint for the request path (<see cref="ReadyDestinations"/>).
/// It reads the <see cref="EndpointTable"/> alone, not <see cref="DestinationState.Health"/>: see there why.
/// </summary>
internal sealed class ReadyDestinationsPolicy(EndpointTable endpoints) : IAvailableDestinationsPolicy
{
    public const string PolicyName = "Gateway.Ready";

    public string Name => PolicyName;

    // YARP spells the member this way.
    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        ArgumentNullException.ThrowIfNull(allDestinations);
        var table = endpoints.Current;
        var known = new List<(DestinationState Destination, Endpoint Endpoint)>(allDestinations.Count);
        foreach (var destination in allDestinations)
        {
            if (table.TryGetValue(destination.DestinationId, out var endpoint))
            {
                known.Add((destination, endpoint));
            }
        }

        var chosen = known.Where(k => k.Endpoint.Ready).ToArray();
        if (chosen.Length == 0)
        {
            chosen = [.. known.Where(k => k.Endpoint.Serving && k.Endpoint.Terminating)];
        }

        return chosen.Length == 0 ? ReadyDestinations.Empty : new ReadyDestinations([.. chosen.Select(c => c.Destination)], [.. chosen.Select(c => c.Endpoint)]);
    }
}
