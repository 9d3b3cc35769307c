namespace Gateway.Routing;

/// <summary>
/// A pod's address as routing sees it, with the conditions of an EndpointSlice endpoint:
/// serving (the pod is Ready), terminating (deletion has begun), ready (serving and not terminating).
/// One per container instance: a restart gives a new <see cref="DestinationId"/>.
/// </summary>
/// <param name="Ejected">The proxy could not connect to it: out of rotation until its producer next reports it (a pod's readiness re-check), or for <see cref="EndpointTable.EjectionWithoutReadinessProbe"/>; or its answers failed in a row (<see cref="OutlierDetection"/>): out until its ejection's end time.</param>
/// <param name="ReadySince">When it last became ready; slow start weighs new endpoints by it.</param>
/// <param name="HasPod">A pod stands behind it, named <paramref name="PodName"/>; false for a Static address, whose <paramref name="PodName"/> is the address.</param>
public sealed record Endpoint(string Service, string PodName, string DestinationId, string Address, bool Serving, bool Terminating, bool Ejected = false, DateTimeOffset? ReadySince = null,
    bool HasPod = true)
{
    public bool Ready => Serving && !Terminating && !Ejected;

    /// <summary>The destination id of an endpoint the gateway does not run (a cluster's, a Static address): <c>{service}/{key}</c>.</summary>
    public static string ExternalDestinationId(string service, string key) => $"{service}/{key}";

    /// <summary>The key <see cref="ExternalDestinationId"/> was made from.</summary>
    public static string ExternalKey(string service, string destinationId)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destinationId);
        return destinationId[(service.Length + 1)..];
    }
}
