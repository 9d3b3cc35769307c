using System.Collections.Immutable;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>
/// Everything the gateway knows about one pod, as one immutable value. The pod worker swaps it whole;
/// readers (routing, admin, controllers) take the reference they find.
/// </summary>
public sealed record PodState
{
    public required string Name { get; init; }

    public string Namespace { get; init; } = "default";

    public required string Uid { get; init; }

    public required string ServiceName { get; init; }

    /// <summary>The runtime that runs the pod's containers.</summary>
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The template's annotations (<c>fieldRef: metadata.annotations['x']</c>).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The ConfigMaps and Secrets the pod's env and volumes read, as the service's manifests held them.</summary>
    public ConfigObjects Objects { get; init; } = ConfigObjects.Empty;

    public required V1PodSpec Spec { get; init; }

    public required string TemplateHash { get; init; }

    /// <summary>The container port the service's route sends to, from its manifest's Service; null: the first declared port.</summary>
    public RouteTarget? RouteTarget { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    /// <summary>
    /// Bound to the gateway's node (<c>PodScheduled=True</c>). A pod beyond <c>Gateway:MaxPods</c> is
    /// created unbound: Pending, no port given, no container started, until capacity frees.
    /// </summary>
    public bool Scheduled { get; init; } = true;

    /// <summary>Why an unbound pod waits, shown as its <c>PodScheduled=False</c>; null: no room on the gateway (<c>Unschedulable</c>).</summary>
    public PodCondition? Unschedulable { get; init; }

    public PodPhase Phase { get; init; } = PodPhase.Pending;

    public ImmutableArray<ContainerStatus> InitContainers { get; init; } = [];

    public ImmutableArray<ContainerStatus> Containers { get; init; } = [];

    /// <summary>Host ports given to each container's declared ports, fixed for the pod's life (its "address").</summary>
    public ImmutableDictionary<string, ImmutableArray<PortMapping>> Ports { get; init; } = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty;

    public string PodIp { get; init; } = "127.0.0.1";

    public DateTimeOffset? DeletionTimestamp { get; init; }

    /// <summary><c>status.reason</c>: why a pod failed when its containers do not say, e.g. <c>DeadlineExceeded</c>.</summary>
    public string? Reason { get; init; }

    /// <summary><c>status.message</c>, beside <see cref="Reason"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Conditions named by <c>readinessGates</c>, as set through the admin API.</summary>
    public ImmutableDictionary<string, bool> GateConditions { get; init; } = ImmutableDictionary<string, bool>.Empty;

    /// <summary>The reason and message of a gate condition the gateway sets itself (a dependency's readiness), shown while it is false.</summary>
    public ImmutableDictionary<string, (string Reason, string Message)> GateReasons { get; init; } = ImmutableDictionary<string, (string Reason, string Message)>.Empty;

    /// <summary>Each condition's status and when it last changed (<c>lastTransitionTime</c>), kept by <see cref="PodLifecycle"/>.</summary>
    public ImmutableDictionary<string, (bool Status, DateTimeOffset At)> ConditionTransitions { get; init; } =
        ImmutableDictionary<string, (bool Status, DateTimeOffset At)>.Empty;

    public bool IsDeleting => DeletionTimestamp is not null;

    public bool IsTerminal => Phase is PodPhase.Succeeded or PodPhase.Failed;

    /// <summary>When the last of its containers ended, once the pod is terminal; null before.</summary>
    public DateTimeOffset? FinishedAt => IsTerminal
        ? InitContainers.Concat(Containers).Select(c => (c.Terminated ?? c.LastTermination)?.FinishedAt).Max() ?? CreatedAt
        : null;

    public string RestartPolicy => Spec.RestartPolicy ?? PodSpecDefaults.RestartPolicy;

    /// <summary>The pod's <c>terminationGracePeriodSeconds</c>: how long a deletion may take.</summary>
    public TimeSpan TerminationGracePeriod => TimeSpan.FromSeconds(Spec.TerminationGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds);

    /// <summary>Every init container has completed successfully, and every sidecar has started.</summary>
    public bool Initialized => InitContainers.All(c => c.IsSidecar ? c.Started : c.Completed);

    /// <summary>
    /// A container has been created (the kubelet's <c>podHasInitialized</c>): from then on the init
    /// containers are not run again, and sidecars that exit are only restarted.
    /// </summary>
    public bool HasInitialized => Containers.Any(c => !c.NeverRan || c.Starting || c.CreateBackoffStep > 0);

    /// <summary>
    /// Under <c>Never</c> or <c>OnFailure</c>, every container has ended for good: the pod is done, and
    /// its sidecars are stopped rather than restarted.
    /// </summary>
    public bool ContainersCompleted => RestartPolicy != "Always" && Containers.Length > 0 && Containers.All(c => c.State == ContainerRunState.Terminated);

    /// <summary>Every container is ready, and every sidecar too (a sidecar's readiness counts toward the pod's, as in Kubernetes).</summary>
    public bool ContainersReady => Containers.Length > 0 && Containers.All(c => c.Ready) && InitContainers.Where(c => c.IsSidecar).All(c => c.Ready);

    /// <summary>The Ready condition: containers ready and every readiness gate true. Only such pods get new requests.</summary>
    public bool Ready => !IsTerminal && ContainersReady && ReadinessGatesPass;

    public bool ReadinessGatesPass =>
        Spec.ReadinessGates is not { Count: > 0 } gates || gates.All(g => GateConditions.TryGetValue(g.ConditionType, out var v) && v);

    /// <summary>
    /// A new pod of <paramref name="backend"/>'s template, before anything ran: Pending, bound, no
    /// ports yet, every container waiting (<c>PodInitializing</c> behind init containers, else
    /// <c>ContainerCreating</c>) with its probes at their starting values.
    /// </summary>
    public static PodState Create(string serviceName, PodsBackend backend, string name, string uid, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var spec = backend.PodSpec;
        var initializing = spec.InitContainers is { Count: > 0 };
        return new PodState
        {
            Name = name,
            Uid = uid,
            ServiceName = serviceName,
            Runtime = backend.Runtime,
            Labels = backend.Labels,
            Annotations = backend.Annotations,
            Objects = backend.Objects,
            Spec = spec,
            TemplateHash = backend.TemplateHash,
            RouteTarget = backend.RouteTarget,
            CreatedAt = createdAt,
            InitContainers = [.. (spec.InitContainers ?? []).Select(c => new ContainerStatus
            {
                Name = c.Name,
                IsInit = true,
                IsSidecar = PodSpecDefaults.IsSidecar(c),
                HasStartupProbe = c.StartupProbe is not null,
                HasReadinessProbe = c.ReadinessProbe is not null,
                WaitingReason = "PodInitializing",
            })],
            Containers = [.. spec.Containers.Select(c => new ContainerStatus
            {
                Name = c.Name,
                HasStartupProbe = c.StartupProbe is not null,
                HasReadinessProbe = c.ReadinessProbe is not null,
                WaitingReason = initializing ? "PodInitializing" : "ContainerCreating",
            })],
        };
    }

    public ContainerStatus? FindContainer(string name) =>
        Containers.FirstOrDefault(c => c.Name == name) ?? InitContainers.FirstOrDefault(c => c.Name == name);

    /// <summary>The pod's sidecars, in the order of <c>initContainers</c>.</summary>
    public IEnumerable<ContainerStatus> Sidecars => InitContainers.Where(c => c.IsSidecar);

    /// <summary>The pod's <c>activeDeadlineSeconds</c> counted from its start; null without one or before it started.</summary>
    public DateTimeOffset? ActiveDeadline => Spec.ActiveDeadlineSeconds is { } seconds && StartTime is { } start ? start.AddSeconds(seconds) : null;

    public V1Container? FindSpec(string name) =>
        Spec.Containers.FirstOrDefault(c => c.Name == name) ?? Spec.InitContainers?.FirstOrDefault(c => c.Name == name);

    /// <summary>A copy with one container's status replaced.</summary>
    public PodState With(ContainerStatus status) => status.IsInit
        ? this with { InitContainers = InitContainers.Replace(InitContainers.First(c => c.Name == status.Name), status) }
        : this with { Containers = Containers.Replace(Containers.First(c => c.Name == status.Name), status) };
}
