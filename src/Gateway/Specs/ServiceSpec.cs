using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A validated service: a Kubernetes Deployment and Service in one. <see cref="PodSpec"/> carries the
/// API defaults already applied.
/// </summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }

    public required RouteSpec Route { get; init; }

    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    public int Replicas { get; init; } = 1;

    public required V1PodSpec PodSpec { get; init; }

    /// <summary>The template's labels plus <c>app=&lt;service&gt;</c>.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The name of a bare Pod manifest's one pod; null for a replicated service.</summary>
    public string? PodName { get; init; }

    /// <summary>Kubernetes' <c>pod-template-hash</c>: changes whenever the pod template does.</summary>
    public required string TemplateHash { get; init; }

    /// <summary>Rolling replacement when the template changes.</summary>
    public RolloutSpec Rollout { get; init; } = RolloutSpec.Default;

    /// <summary>Retries of failed requests to another pod.</summary>
    public RetrySpec Retries { get; init; } = RetrySpec.Default;

    /// <summary>A pod that just became ready gets a share of new requests growing over this window; zero is off.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary>The longest slow-start window, <c>SlowStartSeconds</c>: an hour.</summary>
    public const int MaxSlowStartSeconds = 3600;

    /// <summary>The files the service was read from (the manifest), watched for changes.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];
    /// <summary>For <see cref="RuntimeKind.Kubernetes"/>: the cluster Service whose endpoints the gateway routes to.</summary>
    public KubernetesServiceSpec? Kubernetes { get; init; }

    /// <summary>The folder of the settings file that declared the service.</summary>
    public required string ConfigDirectory { get; init; }
}
