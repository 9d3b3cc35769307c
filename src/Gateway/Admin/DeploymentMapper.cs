using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A replicated service as an <c>apps/v1</c> Deployment: its spec in force (the file's, or the
/// API's override) and a status counted from its pods the way the deployment controller counts.
/// </summary>
internal static class DeploymentMapper
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>The Deployment's default <c>progressDeadlineSeconds</c>.</summary>
    public const int ProgressDeadlineSeconds = 600;

    /// <summary>The Deployment's selector: the label every pod of the service has.</summary>
    public static Dictionary<string, string> Selector(string service) => new(StringComparer.Ordinal) { ["app"] = service };

    /// <summary>A stable uid for an object the gateway shows but does not store: the same name, the same uid.</summary>
    public static string Uid(string kind, string name) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/default/{name}")).AsSpan(0, 16)).ToString();

    public static V1Deployment ToV1Deployment(ServiceSpec effective, DeploymentRecord record, IReadOnlyCollection<PodState> pods)
    {
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(record);
        var backend = effective.Pods!;
        var current = record.History.Current;
        var template = current?.Template;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [DeploymentStore.SourceAnnotation] = record.Source };
        if (current is not null)
        {
            annotations[RevisionAnnotation] = current.Number.ToString(CultureInfo.InvariantCulture);
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta
            {
                Name = effective.Name,
                NamespaceProperty = "default",
                Uid = Uid("Deployment", effective.Name),
                Generation = record.Generation,
                ResourceVersion = ResourceVersion(record, pods),
                CreationTimestamp = record.Created.UtcDateTime,
                Labels = Selector(effective.Name),
                Annotations = annotations,
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = backend.Replicas,
                Selector = new V1LabelSelector { MatchLabels = Selector(effective.Name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = new Dictionary<string, string>(backend.Labels, StringComparer.Ordinal),
                        Annotations = template is { Annotations.Count: > 0 } ? new Dictionary<string, string>(template.Annotations, StringComparer.Ordinal) : null,
                    },
                    Spec = backend.PodSpec,
                },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = IntOrPercent(backend.Rollout.MaxSurge), MaxUnavailable = IntOrPercent(backend.Rollout.MaxUnavailable) },
                },
                RevisionHistoryLimit = RevisionHistory.DefaultLimit,
                ProgressDeadlineSeconds = ProgressDeadlineSeconds,
                Paused = record.Paused ? true : null,
            },
            Status = Status(effective.Name, backend, record, pods),
        };
    }

    /// <summary>
    /// The deployment controller's status: <c>replicas</c> counts the active pods (not ended, not
    /// terminating) of every template, <c>updatedReplicas</c> those of the current one, ready and
    /// available those Ready (<c>minReadySeconds</c> is 0); <c>Available</c> once no more than
    /// <c>maxUnavailable</c> are missing, <c>Progressing</c> with the reason kubectl reads.
    /// </summary>
    public static V1DeploymentStatus Status(string service, PodsBackend backend, DeploymentRecord record, IReadOnlyCollection<PodState> pods)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pods);
        var active = pods.Where(p => !p.IsTerminal && !p.IsDeleting).ToList();
        var updated = active.Where(p => p.TemplateHash == backend.TemplateHash).ToList();
        var ready = active.Count(p => p.Ready);
        var available = ready;
        var (_, maxUnavailable) = backend.Rollout.Resolve(backend.Replicas);
        var since = (record.History.Current?.Created ?? record.Created).UtcDateTime;
        var replicaSet = $"{service}-{backend.TemplateHash}";
        var complete = updated.Count >= backend.Replicas && active.Count == updated.Count && updated.Count(p => p.Ready) >= updated.Count;
        var minimum = available >= backend.Replicas - maxUnavailable;
        var progressing = record.Paused
            ? Condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", since)
            : complete
                ? Condition("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{replicaSet}\" has successfully progressed.", since)
                : Condition("Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{replicaSet}\" is progressing.", since);
        return new V1DeploymentStatus
        {
            ObservedGeneration = record.ObservedGeneration,
            Replicas = active.Count,
            UpdatedReplicas = updated.Count,
            ReadyReplicas = ready,
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, Math.Max(backend.Replicas, active.Count) - available) is var u and > 0 ? u : null,
            Conditions =
            [
                minimum
                    ? Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", record.Created.UtcDateTime)
                    : Condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", record.Created.UtcDateTime),
                progressing,
            ],
        };
    }

    /// <summary>Changes whenever what the Deployment shows does: its generation, and its pods' states.</summary>
    private static string ResourceVersion(DeploymentRecord record, IReadOnlyCollection<PodState> pods)
    {
        var text = string.Join(';', pods.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}:{p.Phase}:{p.Ready}:{p.IsDeleting}"));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{record.Generation}/{record.ObservedGeneration}/{text}"));
        return BitConverter.ToUInt32(hash).ToString(CultureInfo.InvariantCulture);
    }

    private static IntOrString IntOrPercent(string value) => value;

    private static V1DeploymentCondition Condition(string type, string status, string reason, string message, DateTime since) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastTransitionTime = since,
        LastUpdateTime = since,
    };
}
