namespace Gateway.Kubernetes;

/// <summary>One address and port of a cluster Service, with the conditions its EndpointSlice gives it.</summary>
/// <param name="Key">Stable while the address and port stay: the routing destination id is made from it.</param>
/// <param name="PodName">The pod behind the address (<c>targetRef.name</c>), or the address when the slice names none.</param>
/// <param name="HasPod">The slice names the pod (a <c>targetRef</c>).</param>
public sealed record ClusterEndpoint(string Key, string PodName, string Host, int Port, bool Ready, bool Serving, bool Terminating, bool HasPod = true);
