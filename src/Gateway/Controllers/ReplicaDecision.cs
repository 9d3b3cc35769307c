using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// The replica controller's decision as a plain function: given a service's pods, which to delete
/// and how many to create. Ended pods (Succeeded or Failed) of a replicated service are replaced and
/// kept as history, the newest <c>terminatedHistory</c> of them (older ones are deleted, as the
/// terminated-pod GC does); when the replacement may come is <see cref="ReplacementBackoff"/>'s. A
/// bare Pod is never replaced, as in Kubernetes. When the template changed, pods roll
/// like a Deployment's: at most <c>maxSurge</c> above the replica count, and never fewer ready pods
/// than replicas minus <c>maxUnavailable</c>, so a new pod is ready before an old one drains.
/// </summary>
public static class ReplicaDecision
{
    public static (int Create, IReadOnlyList<string> Delete) Decide(
        int replicas, bool barePod, bool barePodCreated, IReadOnlyCollection<PodState> pods, string? templateHash = null, RolloutSpec? rollout = null,
        int terminatedHistory = GatewaySpec.DefaultTerminatedPodHistory)
    {
        ArgumentNullException.ThrowIfNull(pods);
        bool Current(PodState p) => templateHash is null || p.TemplateHash == templateHash;
        if (barePod)
        {
            // A Pod's spec cannot change in place: a changed manifest replaces the pod once the old one is gone.
            var outdated = pods.Where(p => !Current(p) && !p.IsDeleting).Select(p => p.Name).ToList();
            return (barePodCreated || pods.Count > 0 ? 0 : 1, outdated);
        }

        var delete = pods.Where(p => p.IsTerminal && !p.IsDeleting)
            .OrderByDescending(p => p.FinishedAt).ThenByDescending(p => p.CreatedAt)
            .Skip(Math.Max(0, terminatedHistory)).Select(p => p.Name).ToList();
        var active = pods.Where(p => !p.IsTerminal && !p.IsDeleting).ToList();
        var old = active.Where(p => !Current(p)).ToList();
        var fresh = active.Where(Current).ToList();
        if (old.Count == 0)
        {
            if (fresh.Count > replicas)
            {
                delete.AddRange(ScaleDownOrder(fresh).Take(fresh.Count - replicas).Select(p => p.Name));
            }

            return (Math.Max(0, replicas - fresh.Count), delete);
        }

        var (surge, unavailable) = (rollout ?? RolloutSpec.Default).Resolve(replicas);
        var create = Math.Max(0, Math.Min(replicas - fresh.Count, replicas + surge - active.Count));

        // Old pods that are not ready cost no availability: they go first. Ready ones only while enough stay ready.
        var deletable = active.Count(p => p.Ready) - (replicas - unavailable);
        foreach (var pod in ScaleDownOrder(old))
        {
            if (!pod.Ready)
            {
                delete.Add(pod.Name);
            }
            else if (deletable > 0)
            {
                delete.Add(pod.Name);
                deletable--;
            }
        }

        if (fresh.Count > replicas)
        {
            delete.AddRange(ScaleDownOrder(fresh).Take(fresh.Count - replicas).Select(p => p.Name));
        }

        return (create, delete);
    }

    /// <summary>Kubernetes' ranking for scale-down: unscheduled first, then not-yet-running, then not ready, then the newest.</summary>
    private static IEnumerable<PodState> ScaleDownOrder(IEnumerable<PodState> pods) => pods
        .OrderBy(p => p.Scheduled ? 1 : 0)
        .ThenBy(p => p.Phase == PodPhase.Running ? 1 : 0)
        .ThenBy(p => p.Ready ? 1 : 0)
        .ThenByDescending(p => p.CreatedAt);
}
