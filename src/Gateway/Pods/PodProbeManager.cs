using Gateway.Probes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>
/// The kubelet's prober manager for one pod: one <see cref="ProbeWorker"/> per running container
/// instance and probe kind, added and removed as the pod changes. Only the pod loop calls it; its
/// workers read the pod through <paramref name="current"/> and report through <paramref name="post"/>.
/// </summary>
internal sealed class PodProbeManager(PodWorkerContext context, Func<PodState> current, Action<PodEvent> post)
{
    private readonly Dictionary<(string Container, ProbeKind Kind), ProbeWorker> _workers = [];

    /// <summary>What a probe worker of <paramref name="instanceId"/> sees of its container in <paramref name="pod"/>.</summary>
    public static ProbedInstance Probed(PodState pod, string container, string instanceId) =>
        pod.FindContainer(container) is { IsRunning: true } c && c.InstanceId == instanceId
            ? new ProbedInstance(Current: true, c.Started, pod.IsDeleting)
            : new ProbedInstance(Current: false, Started: false, pod.IsDeleting);

    /// <summary>
    /// After the pod changed from <paramref name="before"/> to <paramref name="after"/>: a worker for each
    /// probe that runs on a current instance (of <paramref name="instances"/>), none for the others.
    /// </summary>
    public void Reconcile(PodState before, PodState after, ContainerInstances instances)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        // Sidecars are probed like containers; plain init containers have no probes.
        foreach (var container in after.Sidecars.Concat(after.Containers))
        {
            var spec = after.FindSpec(container.Name)!;
            Reconcile(after, container, ProbeKind.Startup, spec.StartupProbe, instances);
            Reconcile(after, container, ProbeKind.Liveness, spec.LivenessProbe, instances);
            Reconcile(after, container, ProbeKind.Readiness, spec.ReadinessProbe, instances);

            // The moment a container becomes Started through its startup probe, readiness runs at once.
            if (container.Started && container.HasStartupProbe && before.FindContainer(container.Name) is { Started: false }
                && _workers.TryGetValue((container.Name, ProbeKind.Readiness), out var readiness))
            {
                readiness.Trigger();
            }
        }
    }

    /// <summary>The proxy could not connect to the pod: every readiness worker re-checks now (see <see cref="ProbeWorker.Recheck"/>).</summary>
    public void RecheckReadiness()
    {
        foreach (var ((_, kind), worker) in _workers)
        {
            if (kind == ProbeKind.Readiness)
            {
                worker.Recheck();
            }
        }
    }

    /// <summary>The pod is gone: stops every worker.</summary>
    public async Task StopAllAsync()
    {
        await Task.WhenAll(_workers.Values.Select(p => p.DisposeAsync().AsTask()));
        _workers.Clear();
    }

    private void Reconcile(PodState pod, ContainerStatus container, ProbeKind kind, V1Probe? probe, ContainerInstances instances)
    {
        var key = (container.Name, kind);
        _workers.TryGetValue(key, out var existing);
        var wanted = probe is not null && container.InstanceId is { } id && Probed(pod, container.Name, id).IsProbedBy(kind);
        if (existing is not null && (!wanted || existing.InstanceId != container.InstanceId))
        {
            _workers.Remove(key);
            _ = existing.DisposeAsync().AsTask();
            existing = null;
        }

        if (!wanted || existing is not null)
        {
            return;
        }

        var name = container.Name;
        var instanceId = container.InstanceId!;
        var worker = new ProbeWorker(kind, probe!, new ProbeSubject(pod.Namespace, pod.Name, pod.Uid, pod.ServiceName, name), instanceId,
            container.StartedAt ?? context.Time.GetUtcNow(), instances.Current[name].Target, context.Prober, context.Time,
            () => Probed(current(), name, instanceId), result => post(new PodEvent.ProbeChanged(name, instanceId, kind, result)),
            context.Events, context.ProbeObserver);
        _workers[key] = worker;
        var uptime = context.Time.GetUtcNow() - context.GatewayStartedAt;
        worker.Start(ProbeSchedule.FirstTickDelay(worker.Period, uptime, Random.Shared.NextDouble()));
    }
}
