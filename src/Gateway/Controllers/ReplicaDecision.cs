using Gateway.Pods;

namespace Gateway.Controllers;

/// <summary>
/// The replica controller's decision as a plain function: given a service's pods, which to delete
/// and how many to create. Ended pods (Succeeded or Failed) of a replicated service are deleted and
/// replaced; a bare Pod is never replaced, as in Kubernetes.
/// </summary>
public static class ReplicaDecision
{
    public static (int Create, IReadOnlyList<string> Delete) Decide(int replicas, bool barePod, bool barePodCreated, IReadOnlyCollection<PodState> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (barePod)
        {
            return (barePodCreated ? 0 : 1, []);
        }

        var delete = pods.Where(p => p.IsTerminal && !p.IsDeleting).Select(p => p.Name).ToList();
        var active = pods.Where(p => !p.IsTerminal && !p.IsDeleting).ToList();
        if (active.Count > replicas)
        {
            // Kubernetes' ranking: not-yet-running first, then not ready, then the newest.
            delete.AddRange(active
                .OrderBy(p => p.Phase == PodPhase.Running ? 1 : 0)
                .ThenBy(p => p.Ready ? 1 : 0)
                .ThenByDescending(p => p.CreatedAt)
                .Take(active.Count - replicas)
                .Select(p => p.Name));
        }

        return (Math.Max(0, replicas - active.Count), delete);
    }
}
