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
    public PodState Create(ServiceSpec service, bool schedule)
    {
        ArgumentNullException.ThrowIfNull(service);
        var pod = NewPod(service);
        if (schedule)
        {
            return Start(service, Place(pod), []).State;
        }

        pod = pod with { Scheduled = false };
        context.Registry.Set(pod);
        context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "FailedScheduling", PodScheduling.TooManyPods);
        return pod;
    }

    /// <summary>Binds a Pending pod now that capacity frees: it gets its ports and starts like a new one.</summary>
    public void Bind(string name, ServiceSpec service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!_workers.ContainsKey(name) && context.Registry.Pods.TryGetValue(name, out var pod) && !pod.Scheduled)
        {
            Start(service, Place(pod with { Scheduled = true }), []);
        }
    }

    /// <summary>Takes over a pod an earlier gateway left running: it keeps its name, uid, ports and running instances.</summary>
    public PodWorker Adopt(ServiceSpec service, AdoptedPod adopted)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(adopted);
        context.Ports.Reserve(adopted.Ports.Values.SelectMany(p => p).Select(p => p.HostPort));
        return Start(service, NewPod(service, adopted.Name, adopted.Uid) with { Ports = adopted.Ports }, adopted.Containers);
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
        return PodState.Create(service.Name, backend, name ?? backend.PodName ?? NameGenerator.PodName(service.Name, backend.TemplateHash),
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
