using System.Collections.Concurrent;
using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>Creates, finds and deletes pods; each pod is one <see cref="PodWorker"/>.</summary>
internal sealed class PodManager(PodWorkerContext context)
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);

    public IEnumerable<PodWorker> Workers => _workers.Values;

    public PodWorker? Find(string name) => _workers.GetValueOrDefault(name);

    /// <summary>The runtimes pods run on.</summary>
    public ContainerRuntimes Runtimes => context.Runtimes;

    public TimeProvider Time => context.Time;

    /// <summary>
    /// Creates a pod of <paramref name="service"/> and starts its worker. With <paramref name="adopted"/>,
    /// the pod is one an earlier gateway left running: it keeps its name, uid, ports and running instances.
    /// </summary>
    public PodWorker Create(ServiceSpec service, AdoptedPod? adopted = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        var name = adopted?.Name ?? service.PodName ?? NameGenerator.PodName(service.Name, service.TemplateHash);
        var spec = service.PodSpec;
        ImmutableDictionary<string, ImmutableArray<PortMapping>> ports;
        if (adopted is not null)
        {
            ports = adopted.Ports;
            context.Ports.Reserve(ports.Values.SelectMany(p => p).Select(p => p.HostPort));
        }
        else
        {
            var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<PortMapping>>(StringComparer.Ordinal);
            foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
            {
                builder[container.Name] = [.. (container.Ports ?? []).Select(p => new PortMapping(p.Name, p.ContainerPort, context.Ports.Allocate()))];
            }

            ports = builder.ToImmutable();
        }

        var pod = new PodState
        {
            Name = name,
            Uid = adopted?.Uid ?? Guid.NewGuid().ToString(),
            ServiceName = service.Name,
            Runtime = service.Runtime,
            Labels = service.Labels,
            Spec = spec,
            TemplateHash = service.TemplateHash,
            CreatedAt = context.Time.GetUtcNow(),
            Ports = ports,
            InitContainers = [.. (spec.InitContainers ?? []).Select(c => new ContainerStatus { Name = c.Name, IsInit = true, WaitingReason = "PodInitializing" })],
            Containers = [.. spec.Containers.Select(c => new ContainerStatus
            {
                Name = c.Name,
                HasStartupProbe = c.StartupProbe is not null,
                HasReadinessProbe = c.ReadinessProbe is not null,
                WaitingReason = spec.InitContainers is { Count: > 0 } ? "PodInitializing" : "ContainerCreating",
            })],
        };

        var worker = new PodWorker(pod, context, service.ConfigDirectory);
        _workers[name] = worker;
        _ = worker.Completion.ContinueWith(_ => _workers.TryRemove(new KeyValuePair<string, PodWorker>(name, worker)), TaskScheduler.Default);
        worker.Start(adopted?.Containers ?? []);
        return worker;
    }

    public void Delete(string name, string reason)
    {
        if (_workers.TryGetValue(name, out var worker))
        {
            worker.Post(new PodEvent.Delete(reason));
        }
    }
}
