using k8s.Models;

namespace Gateway.Controllers;

/// <summary>
/// One revision of a service's pod template, as a ReplicaSet holds it: the spec, the labels and the
/// template's annotations (<c>kubectl.kubernetes.io/restartedAt</c>).
/// </summary>
/// <param name="SpecHash">The hash the settings file's template gives (of the runtime and the spec), before annotations.</param>
public sealed record PodTemplate(V1PodSpec Spec, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations, string SpecHash)
{
    /// <summary>The annotation <c>kubectl rollout restart</c> sets on the template.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    private static readonly IReadOnlyDictionary<string, string> NoAnnotations = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The <c>pod-template-hash</c>: the file's hash, mixed with the annotations when there are any,
    /// so that pods roll as a Deployment's do when kubectl changes the template's annotations.
    /// </summary>
    public string Hash => Annotations.Count == 0 ? SpecHash
        : Specs.NameGenerator.TemplateHash($"{SpecHash}:{string.Join(';', Annotations.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))}");

    /// <summary>The template a settings file entry gives: no annotations.</summary>
    public static PodTemplate Of(Specs.PodsBackend pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        return new PodTemplate(pods.PodSpec, pods.Labels, NoAnnotations, pods.TemplateHash);
    }
}
