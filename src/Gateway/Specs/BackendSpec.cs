using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Where a service's requests go: one of <see cref="PodsBackend"/> (pods the gateway runs),
/// <see cref="ClusterBackend"/> (a Kubernetes cluster's Service) or <see cref="StaticBackend"/>
/// (fixed addresses). Each kind has its own controller.
/// </summary>
public abstract record BackendSpec
{
    /// <summary>Whether two probes say the same: <see cref="V1Probe"/> compares by reference, a reload makes new ones.</summary>
    protected static bool SameProbe(V1Probe? a, V1Probe? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b));
}

/// <summary>Pods the gateway runs itself, from a template, on a container runtime: a Deployment.</summary>
public sealed record PodsBackend : BackendSpec
{
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    public int Replicas { get; init; } = 1;

    /// <summary>The pod template's spec, with the API defaults already applied.</summary>
    public required V1PodSpec PodSpec { get; init; }

    /// <summary>The template's labels plus <c>app=&lt;service&gt;</c>.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The template's annotations, which <c>fieldRef: metadata.annotations['x']</c> reads.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The ConfigMaps and Secrets of the service's manifests, which the pods' env and volumes read.</summary>
    public ConfigObjects Objects { get; init; } = ConfigObjects.Empty;

    /// <summary>The name of a bare Pod manifest's one pod; null for a replicated service.</summary>
    public string? PodName { get; init; }

    /// <summary>Kubernetes' <c>pod-template-hash</c>: changes whenever the pod template does, or a ConfigMap or Secret of <see cref="Objects"/>.</summary>
    public required string TemplateHash { get; init; }

    /// <summary>Rolling replacement when the template changes.</summary>
    public RolloutSpec Rollout { get; init; } = RolloutSpec.Default;

    /// <summary>The container port a manifest's Service targets; null: the first port the pod declares.</summary>
    public RouteTarget? RouteTarget { get; init; }

    /// <summary>A run-to-completion service (<c>Job</c>); null for a Deployment or a bare Pod.</summary>
    public JobSpec? Job { get; init; }
}

/// <summary>A cluster Service whose EndpointSlices the gateway routes to (<c>"Runtime": "Kubernetes"</c>).</summary>
/// <param name="Namespace">The Service's namespace (default <c>default</c>).</param>
/// <param name="Service">The Service's name: its EndpointSlices carry the label <c>kubernetes.io/service-name</c> with it.</param>
/// <param name="Port">The port's name or number in the EndpointSlices; null for the slice's only (first) port.</param>
/// <param name="ReadinessProbe">A gateway-side probe run against every endpoint, AND-ed with Kubernetes' readiness; defaults applied.</param>
public sealed record ClusterBackend(string Namespace, string Service, string? Port, V1Probe? ReadinessProbe) : BackendSpec
{
    public bool Equals(ClusterBackend? other) =>
        other is not null && (Namespace, Service, Port) == (other.Namespace, other.Service, other.Port) && SameProbe(ReadinessProbe, other.ReadinessProbe);

    public override int GetHashCode() => HashCode.Combine(Namespace, Service, Port);
}

/// <summary>
/// Fixed addresses (<c>"Runtime": "Static"</c>): the gateway routes to those that pass the optional
/// readiness probe and restarts nothing.
/// </summary>
/// <param name="Addresses">Absolute <c>http://host:port</c> URLs, in the order given.</param>
/// <param name="ReadinessProbe">
/// Run against every address with the kubelet's rules; defaults applied. Null: every address is ready.
/// Its port is a number, or <see cref="PortName"/> for each address's own port.
/// </param>
public sealed record StaticBackend(IReadOnlyList<Uri> Addresses, V1Probe? ReadinessProbe) : BackendSpec
{
    /// <summary>The name a Static service's probe gives the port of the address it probes.</summary>
    public const string PortName = "http";

    /// <summary>The most addresses a Static service may list.</summary>
    public const int MaxAddresses = 1000;

    public bool Equals(StaticBackend? other) =>
        other is not null && Addresses.SequenceEqual(other.Addresses) && SameProbe(ReadinessProbe, other.ReadinessProbe);

    public override int GetHashCode() => Addresses.Count;
}
