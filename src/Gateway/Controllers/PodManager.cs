using Gateway.Events;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// Creates, binds, finds and deletes pods. A bound pod is one <see cref="PodWorker"/>; a Pending
/// (unbound) pod is only its <see cref="PodState"/> in the registry, so that waiting pods cost little.
/// </summary>
internal sealed class PodManager(PodWorkerContext context)
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);

    public IEnumerable<PodWorker> Workers => _workers.Values;

    public PodWorker? Find(string name) => _workers.GetValueOrDefault(name);

    /// <summary>The runtimes pods run on.</summary>
    public ContainerRuntimes Runtimes => context.Runtimes;

    public TimeProvider Time => context.Time;

    /// <summary>
    /// Creates a pod of <paramref name="service"/>: bound and started when <paramref name="schedule"/>,
    /// else Pending with <c>PodScheduled=False</c> and a <c>FailedScheduling</c> event.
    /// </summary>
    public PodState Create(ServiceSpec service, bool schedule, bool dependenciesReady = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        var pod = WithDependencyGate(service, NewPod(service), dependenciesReady);
        if (schedule)
        {
            return Start(service, Place(pod), []).State;
        }

        pod = pod with { Scheduled = false };
        context.Registry.Set(pod);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "FailedScheduling", PodScheduling.TooManyPods);
        return pod;
    }

    /// <summary>
    /// Creates a pod of <paramref name="service"/> that waits for its <c>DependsOn</c>: Pending and
    /// unbound with <c>PodScheduled=False</c>, <c>DependenciesNotReady</c>, and a Normal
    /// <c>WaitingForDependencies</c> event, both saying what it waits for.
    /// </summary>
    public PodState CreateWaiting(ServiceSpec service, string waitingFor)
    {
        ArgumentNullException.ThrowIfNull(service);
        var pod = NewPod(service) with { Scheduled = false, Unschedulable = new PodCondition(PodConditions.PodScheduled, false, DependencyGate.Reason, waitingFor) };
        context.Registry.Set(pod);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "WaitingForDependencies", waitingFor);
        return pod;
    }

    /// <summary>A waiting pod's message, when what it waits for changed (one dependency came up).</summary>
    public void UpdateWaiting(string name, string waitingFor)
    {
        if (!_workers.ContainsKey(name) && context.Registry.Pods.TryGetValue(name, out var pod) && pod.Unschedulable is { } condition && condition.Message != waitingFor)
        {
            context.Registry.Set(pod with { Unschedulable = condition with { Message = waitingFor } });
        }
    }

    /// <summary>Binds a Pending pod now that capacity frees (or its dependencies hold): it gets its ports and starts like a new one.</summary>
    public void Bind(string name, ServiceSpec service, bool dependenciesReady = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!_workers.ContainsKey(name) && context.Registry.Pods.TryGetValue(name, out var pod) && !pod.Scheduled)
        {
            pod = WithDependencyGate(service, pod, dependenciesReady);
            Start(service, Place(pod with { Scheduled = true, Unschedulable = null }), []);
        }
    }

    /// <summary>
    /// A pod of a service with <c>"Propagate": "Readiness"</c> gets the readiness gate
    /// <see cref="DependencySpec.ReadinessGate"/> in its spec, with the dependencies' state as its condition.
    /// </summary>
    private static PodState WithDependencyGate(ServiceSpec service, PodState pod, bool ready)
    {
        if (service.DependsOn.All(d => d.Propagate != DependencyPropagation.Readiness) || pod.Spec.ReadinessGates?.Any(g => g.ConditionType == DependencySpec.ReadinessGate) == true)
        {
            return pod;
        }

        var spec = k8s.KubernetesJson.Deserialize<k8s.Models.V1PodSpec>(k8s.KubernetesJson.Serialize(pod.Spec));
        spec.ReadinessGates = [.. spec.ReadinessGates ?? [], new k8s.Models.V1PodReadinessGate { ConditionType = DependencySpec.ReadinessGate }];
        return pod with { Spec = spec, GateConditions = pod.GateConditions.SetItem(DependencySpec.ReadinessGate, ready) };
    }

    /// <summary>Takes over a pod an earlier gateway left running: it keeps its name, uid, ports and running instances.</summary>
    public PodWorker Adopt(ServiceSpec service, AdoptedPod adopted)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(adopted);
        var pod = NewPod(service, adopted.Name, adopted.Uid) with { Ports = adopted.Ports };
        if (adopted.NetworkNamespace is { } network)
        {
            // Its own namespace, kept: a new pod IP names it (the IPs are this gateway's own), its ports are its containerPorts.
            pod = pod with { PodIp = context.Networks.AllocateIp() };
            context.Networks.JoinAsync(pod.Uid, pod.PodIp, () => Task.FromResult(network)).GetAwaiter().GetResult();
        }
        else
        {
            context.Ports.Reserve(adopted.Ports.Values.SelectMany(p => p).Select(p => p.HostPort));
        }

        return Start(service, pod, adopted.Containers);
    }

    /// <summary>Deletes a pod: a bound one drains and stops; a Pending one, which runs nothing, is gone at once.</summary>
    public void Delete(string name, string reason)
    {
        if (_workers.TryGetValue(name, out var worker))
        {
            worker.Post(new PodEvent.Delete(reason));
        }
        else if (context.Registry.Pods.TryGetValue(name, out var pod) && !pod.Scheduled)
        {
            context.Registry.Remove(name);
        }
    }

    private PodWorker Start(ServiceSpec service, PodState pod, IReadOnlyList<AdoptedContainer> adopted)
    {
        var worker = new PodWorker(pod, context, service.ConfigDirectory);
        _workers[pod.Name] = worker;
        _ = worker.Completion.ContinueWith(_ => _workers.TryRemove(new KeyValuePair<string, PodWorker>(pod.Name, worker)), TaskScheduler.Default);
        worker.Start(adopted);
        return worker;
    }

    private PodState NewPod(ServiceSpec service, string? name = null, string? uid = null)
    {
        var backend = service.Pods ?? throw new ArgumentException($"service {service.Name} runs no pods", nameof(service));
        // A Job's pods are named as the Job controller names them: the Job's name and a suffix.
        var generated = backend.Job is null ? NameGenerator.PodName(service.Name, backend.TemplateHash) : $"{service.Name}-{NameGenerator.RandomSuffix(5)}";
        return PodState.Create(service.Name, backend, name ?? backend.PodName ?? generated,
            uid ?? Guid.NewGuid().ToString(), context.Time.GetUtcNow());
    }

    /// <summary>A pod's network: its own namespace, IP and containerPorts where <c>Gateway:PodNetwork</c> gives it one, else host ports.</summary>
    private PodState Place(PodState pod) => context.Networks.Isolates(pod.Runtime, context.Runtimes)
        ? pod with { PodIp = context.Networks.AllocateIp(), Ports = PodNetworks.ContainerPorts(pod.Spec) }
        : pod with { Ports = AllocatePorts(pod.Spec) };

    private ImmutableDictionary<string, ImmutableArray<PortMapping>> AllocatePorts(k8s.Models.V1PodSpec spec)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<PortMapping>>(StringComparer.Ordinal);
        foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            builder[container.Name] = [.. (container.Ports ?? []).Select(p => new PortMapping(p.Name, p.ContainerPort, context.Ports.Allocate()))];
        }

        return builder.ToImmutable();
    }
}
