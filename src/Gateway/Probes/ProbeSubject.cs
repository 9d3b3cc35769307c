namespace Gateway.Probes;

/// <summary>Whom a probe worker probes, as its events and telemetry name it.</summary>
/// <param name="Pod">The pod, or for an endpoint the gateway does not run, the endpoint (its address).</param>
/// <param name="Container">The probed container; for an endpoint, the backend's name for it.</param>
/// <param name="Kind">The involved object of the events: <c>Pod</c>, or <c>Endpoint</c> for an address the gateway only probes.</param>
public sealed record ProbeSubject(string Namespace, string Pod, string Uid, string Service, string Container, string Kind = ProbeSubject.PodKind)
{
    public const string PodKind = "Pod";

    public const string EndpointKind = "Endpoint";

    /// <summary>The events' field path: the container of a pod; nothing for an endpoint.</summary>
    public string? FieldPath => Kind == PodKind ? $"spec.containers{{{Container}}}" : null;
}
