using Gateway.Probes;
using Gateway.Specs;

namespace Gateway.Pods;

/// <summary>
/// The status of one container of a pod, across its instances. Immutable: the lifecycle function
/// returns a changed copy.
/// </summary>
public sealed record ContainerStatus
{
    public required string Name { get; init; }

    public bool IsInit { get; init; }

    /// <summary>An init container with <c>restartPolicy: Always</c>: started in the init order, then kept running beside the containers.</summary>
    public bool IsSidecar { get; init; }

    public ContainerRunState State { get; init; } = ContainerRunState.Waiting;

    /// <summary>Why the container is waiting: <c>ContainerCreating</c>, <c>PodInitializing</c>, <c>CrashLoopBackOff</c>, <c>ErrImagePull</c>, <c>ImagePullBackOff</c>.</summary>
    public string? WaitingReason { get; init; } = "ContainerCreating";

    public string? WaitingMessage { get; init; }

    /// <summary>The running instance's id; null when none runs.</summary>
    public string? InstanceId { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The current state when <see cref="State"/> is Terminated.</summary>
    public Termination? Terminated { get; init; }

    /// <summary><c>lastState.terminated</c>: the previous instance's end.</summary>
    public Termination? LastTermination { get; init; }

    /// <summary>How many instances have been started; <c>restartCount</c> is one less.</summary>
    public int InstancesStarted { get; init; }

    public int RestartCount => Math.Max(0, InstancesStarted - 1);

    public bool HasStartupProbe { get; init; }

    public bool HasReadinessProbe { get; init; }

    public ProbeResult Startup { get; init; } = ProbeResultCounter.InitialValue(ProbeKind.Startup);

    public ProbeResult Liveness { get; init; } = ProbeResultCounter.InitialValue(ProbeKind.Liveness);

    public ProbeResult Readiness { get; init; } = ProbeResultCounter.InitialValue(ProbeKind.Readiness);

    /// <summary>The crash loop's back-off (docs/semantics.md#restart-backoff); null until a dead instance was restarted.</summary>
    public RestartBackoff? Backoff { get; init; }

    /// <summary>While a restart backs off: when the <c>BackOff</c> event is recorded again, as the kubelet's next sync does.</summary>
    public DateTimeOffset? BackoffEventAt { get; init; }

    /// <summary>A start was asked of the runtime and has not answered yet.</summary>
    public bool Starting { get; init; }

    /// <summary>Failed creations in a row (image pulls, engine errors): decides the next create back-off.</summary>
    public int CreateBackoffStep { get; init; }

    /// <summary>When the next creation may be tried after a failed one (an image pull's back-off).</summary>
    public DateTimeOffset? CreateRetryAt { get; init; }

    /// <summary>When a pending restart may start.</summary>
    public DateTimeOffset? RestartAt { get; init; }

    /// <summary>The gateway asked this instance to stop for a failed liveness or startup probe: it is restarted unless the policy is <c>Never</c>.</summary>
    public bool Killed { get; init; }

    public bool IsRunning => State == ContainerRunState.Running;

    /// <summary>Running, and its startup probe succeeded or it has none.</summary>
    public bool Started => IsRunning && (!HasStartupProbe || Startup == ProbeResult.Success);

    /// <summary>
    /// Started, not being killed, and its readiness probe succeeded or it has none. An init container
    /// (not a sidecar) is ready once it has completed (exit 0), as the kubelet's prober manager reports it.
    /// </summary>
    public bool Ready => IsInit && !IsSidecar
        ? Completed
        : Started && !Killed && (!HasReadinessProbe || Readiness == ProbeResult.Success);

    /// <summary>Terminated with exit code 0: what an init container (not a sidecar) must reach before the next one starts.</summary>
    public bool Completed => State == ContainerRunState.Terminated && Terminated?.ExitCode == 0;

    /// <summary>The <c>fieldPath</c> of the events about this container: <c>spec.containers{name}</c> or <c>spec.initContainers{name}</c>.</summary>
    public string FieldPath => IsInit ? $"spec.initContainers{{{Name}}}" : $"spec.containers{{{Name}}}";

    /// <summary>
    /// A copy running a new instance (started, or adopted from an earlier gateway), its probes back
    /// at their starting values (docs/semantics.md#probe-starting-values).
    /// </summary>
    public ContainerStatus WithNewInstance(string instanceId, DateTimeOffset startedAt, int instancesStarted) => this with
    {
        State = ContainerRunState.Running,
        WaitingReason = null,
        WaitingMessage = null,
        InstanceId = instanceId,
        StartedAt = startedAt,
        InstancesStarted = instancesStarted,
        Startup = ProbeResultCounter.InitialValue(ProbeKind.Startup),
        Liveness = ProbeResultCounter.InitialValue(ProbeKind.Liveness),
        Readiness = ProbeResultCounter.InitialValue(ProbeKind.Readiness),
    };

    /// <summary>Waiting and never ran.</summary>
    public bool NeverRan => State == ContainerRunState.Waiting && LastTermination is null && Terminated is null;
}
