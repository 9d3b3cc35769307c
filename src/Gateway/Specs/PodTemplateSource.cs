using k8s.Models;

namespace Gateway.Specs;

/// <summary>A pod template as read, inline or from a manifest, before it is validated.</summary>
/// <param name="Template">The template as written.</param>
/// <param name="Path">The template's path in messages: <c>Gateway:Services:web:Template</c> or <c>Gateway:Services:web:Manifest(web.yaml)</c> (a Deployment's adds <c>.spec.template</c>).</param>
/// <param name="PodName">A bare Pod manifest's pod name; null for a replicated template.</param>
/// <param name="Replicas">The settings' Replicas, else a Deployment manifest's; null: unset.</param>
internal sealed record PodTemplateSource(V1PodTemplateSpec Template, string Path, string? PodName, int? Replicas)
{
    /// <summary>A Deployment manifest's <c>strategy.rollingUpdate</c>; null: none given.</summary>
    public RolloutSpec? Rollout { get; init; }

    /// <summary>The container port a manifest's Service targets; null: the first declared port.</summary>
    public RouteTarget? RouteTarget { get; init; }

    /// <summary>A <c>batch/v1</c> Job manifest's run-to-completion settings; null for a Pod or a Deployment.</summary>
    public JobSpec? Job { get; init; }
}
