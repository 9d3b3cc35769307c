namespace Gateway.Routing;

/// <summary>
/// A pod's address as routing sees it, with the conditions of an EndpointSlice endpoint:
/// serving (the pod is Ready), terminating (deletion has begun), ready (serving and not terminating).
/// One per container instance: a restart gives a new <see cref="DestinationId"/>.
/// </summary>
public sealed record Endpoint(string Service, string PodName, string DestinationId, string Address, bool Serving, bool Terminating)
{
    public bool Ready => Serving && !Terminating;
}
