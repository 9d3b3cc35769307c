using Gateway.Pods;

namespace Gateway.Controllers;

/// <summary>
/// The scheduler's and the ReplicaSet controller's pacing, as one plain function over the pods: which
/// Pending pods bind now, and how many new pods each service creates bound, how many Pending, and how
/// many not yet.
/// <list type="bullet">
/// <item><b>Capacity</b>: the gateway is one node with <c>maxPods</c>. Every bound pod that has not
/// ended counts, terminating ones too (their containers still run). A pod beyond it stays Pending and
/// unbound (<c>PodScheduled=False</c>, <c>Unschedulable</c>).</item>
/// <item><b>Fairness</b>: free capacity goes first to the service with the fewest bound pods (ties by
/// name), within a service to its oldest Pending pod, then to its new ones: the same pods give the
/// same answer, and a service cannot starve another by asking for more replicas.</item>
/// <item><b>Pacing</b>: like the ReplicaSet controller's slow start (batches of 1, 2, 4, ...), a
/// service has at most as many pods starting as it has running (at least one), and the gateway at
/// most <see cref="MaxStartingPods"/>; a sync creates at most <see cref="BurstReplicas"/> pods.
/// A pod that capacity would take but pacing holds is not created yet (or, when it exists, stays
/// Pending until a start finishes), and while any is held no pod is created Pending: a pod is
/// created unschedulable only when the room is truly taken, not merely being filled.</item>
/// <item><b>Cheap Pending pods</b>: at most <see cref="MaxPendingPods"/> Pending pods exist; the rest
/// of the replicas are not created until pods get scheduled.</item>
/// </list>
/// </summary>
public static class PodScheduling
{
    /// <summary>The ReplicaSet controller's <c>burstReplicas</c>: pods created in one sync at most.</summary>
    public const int BurstReplicas = 500;

    /// <summary>Pods whose first start has not been answered by the runtime yet, across all services.</summary>
    public const int MaxStartingPods = 16;

    /// <summary>Pending (unbound) pods kept as objects across all services; further replicas wait uncreated.</summary>
    public const int MaxPendingPods = 100;

    /// <summary>The scheduler's message for a pod that does not fit, on its condition and its <c>FailedScheduling</c> event.</summary>
    public const string TooManyPods = "0/1 nodes are available: 1 Too many pods.";

    /// <summary>
    /// Decides for <paramref name="pods"/> (every pod of the gateway, after this sync's deletions) and
    /// the pods each service's replica decision wants created.
    /// </summary>
    public static SchedulingPlan Decide(int maxPods, IReadOnlyCollection<PodState> pods, IReadOnlyList<(string Service, int Create)> wanted)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(wanted);
        var bound = pods.Where(p => p.Scheduled && !p.IsTerminal).ToList();
        var pending = pods.Where(p => !p.Scheduled).ToList();
        var starting = bound.Where(IsStarting).ToList();
        var services = pods.Select(p => p.ServiceName).Concat(wanted.Select(w => w.Service)).Distinct(StringComparer.Ordinal).ToList();
        var boundOf = services.ToDictionary(s => s, s => bound.Count(p => p.ServiceName == s), StringComparer.Ordinal);
        var startBudget = services.ToDictionary(
            s => s,
            s => Math.Max(1, bound.Count(p => p.ServiceName == s && IsRunning(p))) - starting.Count(p => p.ServiceName == s),
            StringComparer.Ordinal);

        var slots = Math.Max(0, maxPods - bound.Count);
        var startsLeft = Math.Max(0, MaxStartingPods - starting.Count);
        var pendingRoom = Math.Max(0, MaxPendingPods - pending.Count);
        var burst = BurstReplicas;
        var bind = new List<string>();
        var created = services.ToDictionary(s => s, _ => new ServiceCreations(0, 0, 0), StringComparer.Ordinal);

        // Each service's candidates in its own order (oldest Pending pod first, then new pods), keyed
        // by how many bound pods the service would have if it got them: the water-filling order. New
        // pods past what could bind or wait Pending in this sync are not candidates at all, so that
        // 100000 replicas cost no more than a few hundred.
        var candidates = new List<(int Key, string Service, PodState? Existing)>();
        foreach (var service in services)
        {
            var mine = pending.Where(p => p.ServiceName == service).OrderBy(p => p.CreatedAt).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
            var create = wanted.Where(w => w.Service == service).Sum(w => w.Create);
            var considered = Math.Min(create, Math.Min(burst, slots + pendingRoom));
            created[service] = new ServiceCreations(0, 0, create - considered);
            for (var k = 0; k < mine.Count + considered; k++)
            {
                candidates.Add((boundOf[service] + k, service, k < mine.Count ? mine[k] : null));
            }
        }

        candidates.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : string.CompareOrdinal(a.Service, b.Service));
        var paced = false;
        foreach (var (_, service, existing) in candidates)
        {
            var fits = slots > 0;
            slots = Math.Max(0, slots - 1);
            var counts = created[service];
            var starts = fits && startsLeft > 0 && startBudget[service] > 0 && (existing is not null || burst > 0);
            paced |= fits && !starts;
            if (starts)
            {
                startsLeft--;
                startBudget[service]--;
                if (existing is not null)
                {
                    bind.Add(existing.Name);
                }
                else
                {
                    burst--;
                    created[service] = counts with { Scheduled = counts.Scheduled + 1 };
                }
            }
            else if (existing is null && !fits && !paced && pendingRoom > 0 && burst > 0)
            {
                pendingRoom--;
                burst--;
                created[service] = counts with { Pending = counts.Pending + 1 };
            }
            else if (existing is null)
            {
                created[service] = counts with { NotCreated = counts.NotCreated + 1 };
            }
        }

        return new SchedulingPlan(bind, created);
    }

    /// <summary>Bound, not being deleted, and some container's first start not yet answered by the runtime.</summary>
    public static bool IsStarting(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Scheduled && !pod.IsDeleting && !pod.IsTerminal
            && pod.InitContainers.Concat(pod.Containers).Any(c => c.InstancesStarted == 0 && c.Terminated is null && c.LastTermination is null && c.CreateBackoffStep == 0);
    }

    private static bool IsRunning(PodState pod) => !pod.IsDeleting && pod.Containers.Length > 0 && pod.Containers.All(c => c.IsRunning);
}

/// <summary>What a sync does: the Pending pods to bind, and per service the pods to create.</summary>
public sealed record SchedulingPlan(IReadOnlyList<string> Bind, IReadOnlyDictionary<string, ServiceCreations> Create);

/// <summary>New pods of one service: created bound, created Pending (no capacity), and not created in this sync (pacing, or too many Pending).</summary>
public sealed record ServiceCreations(int Scheduled, int Pending, int NotCreated);
