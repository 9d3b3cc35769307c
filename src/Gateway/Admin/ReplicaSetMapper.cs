using System.Globalization;
using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A service's template revisions as <c>apps/v1</c> ReplicaSets named like its pods' prefix
/// (<c>web-7d9f8c6b5</c>), owned by its Deployment: the current one wants the replicas, an old
/// one only the pods it still has while they are replaced.
/// </summary>
internal static class ReplicaSetMapper
{
    public static string Name(string service, string templateHash) => $"{service}-{templateHash}";

    /// <summary>The ReplicaSets of a Deployment: every revision kept, the newest first.</summary>
    public static IEnumerable<V1ReplicaSet> ToV1ReplicaSets(ServiceSpec effective, DeploymentRecord record, IReadOnlyCollection<PodState> pods)
    {
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(record);
        var current = record.History.Current;
        return record.History.Revisions.OrderByDescending(r => r.Number).Select(r => ToV1ReplicaSet(effective, r, r == current, pods));
    }

    public static V1ReplicaSet ToV1ReplicaSet(ServiceSpec effective, Revision revision, bool current, IReadOnlyCollection<PodState> pods)
    {
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(pods);
        var hash = revision.Template.Hash;
        var name = Name(effective.Name, hash);
        var mine = pods.Where(p => p.TemplateHash == hash && !p.IsTerminal && !p.IsDeleting).ToList();
        var replicas = effective.Pods!.Replicas;
        var labels = new Dictionary<string, string>(revision.Template.Labels, StringComparer.Ordinal) { ["pod-template-hash"] = hash };
        var selector = DeploymentMapper.Selector(effective.Name);
        selector["pod-template-hash"] = hash;
        var (surge, _) = effective.Pods.Rollout.Resolve(replicas);
        return new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Uid = DeploymentMapper.Uid("ReplicaSet", name),
                CreationTimestamp = revision.Created.UtcDateTime,
                Generation = 1,
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [DeploymentMapper.RevisionAnnotation] = revision.Number.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/max-replicas"] = (replicas + surge).ToString(CultureInfo.InvariantCulture),
                },
                OwnerReferences = [DeploymentOwner(effective.Name)],
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = current ? replicas : mine.Count,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = labels,
                        Annotations = revision.Template.Annotations.Count > 0 ? new Dictionary<string, string>(revision.Template.Annotations, StringComparer.Ordinal) : null,
                    },
                    Spec = revision.Template.Spec,
                },
            },
            Status = new V1ReplicaSetStatus
            {
                Replicas = mine.Count,
                FullyLabeledReplicas = mine.Count,
                ReadyReplicas = mine.Count(p => p.Ready),
                AvailableReplicas = mine.Count(p => p.Ready),
                ObservedGeneration = 1,
            },
        };
    }

    /// <summary>The owner reference of a pod of a replicated service: the ReplicaSet of its template.</summary>
    public static V1OwnerReference Owner(string service, string templateHash)
    {
        var name = Name(service, templateHash);
        return new V1OwnerReference
        {
            ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = name, Uid = DeploymentMapper.Uid("ReplicaSet", name), Controller = true, BlockOwnerDeletion = true,
        };
    }

    private static V1OwnerReference DeploymentOwner(string service) => new()
    {
        ApiVersion = "apps/v1", Kind = "Deployment", Name = service, Uid = DeploymentMapper.Uid("Deployment", service), Controller = true, BlockOwnerDeletion = true,
    };
}
