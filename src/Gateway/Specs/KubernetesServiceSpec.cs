using k8s.Models;

namespace Gateway.Specs;

/// <summary>A cluster Service that a <see cref="RuntimeKind.Kubernetes"/> service routes to.</summary>
/// <param name="Namespace">The Service's namespace (default <c>default</c>).</param>
/// <param name="Service">The Service's name: its EndpointSlices carry the label <c>kubernetes.io/service-name</c> with it.</param>
/// <param name="Port">The port's name or number in the EndpointSlices; null for the slice's only (first) port.</param>
/// <param name="ReadinessProbe">A gateway-side probe run against every endpoint, AND-ed with Kubernetes' readiness; defaults applied.</param>
public sealed record KubernetesServiceSpec(string Namespace, string Service, string? Port, V1Probe? ReadinessProbe);
