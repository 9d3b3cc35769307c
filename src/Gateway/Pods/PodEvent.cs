using Gateway.Probes;
using Gateway.Specs;

namespace Gateway.Pods;

/// <summary>Something that happened to a pod; the input of <see cref="PodLifecycle"/>.</summary>
public abstract record PodEvent
{
    /// <summary>The pod was created: start its (init) containers.</summary>
    public sealed record Start : PodEvent;

    /// <summary>A container instance is running.</summary>
    public sealed record ContainerStarted(string Container, string InstanceId) : PodEvent;

    /// <summary>
    /// A container could not be started at all. <paramref name="Reason"/> is <c>StartError</c> (counts as
    /// an exit with code 128) or a waiting reason such as <c>ErrImagePull</c> (see <see cref="Runtimes.ContainerStartException"/>).
    /// </summary>
    public sealed record ContainerStartFailed(string Container, string Message, string Reason = Runtimes.ContainerStartException.StartError) : PodEvent;

    /// <summary>A running instance left by an earlier gateway was adopted: it keeps its start time and restart count.</summary>
    public sealed record ContainerAdopted(string Container, string InstanceId, int RestartCount, DateTimeOffset StartedAt) : PodEvent;

    /// <summary>A container instance ended.</summary>
    public sealed record ContainerExited(string Container, string InstanceId, int ExitCode, string Reason, string? Message) : PodEvent;

    /// <summary>
    /// An instance started but its <c>postStart</c> hook failed, so it was killed: it ended with
    /// <paramref name="ExitCode"/> without ever counting as running.
    /// </summary>
    public sealed record PostStartHookFailed(string Container, string InstanceId, DateTimeOffset StartedAt, int ExitCode, string Reason, string? Message) : PodEvent;

    /// <summary>A probe's cached result changed (after its threshold was reached).</summary>
    public sealed record ProbeChanged(string Container, string InstanceId, ProbeKind Kind, ProbeResult Result) : PodEvent;

    /// <summary>A timer the lifecycle asked for fired.</summary>
    public sealed record Wake : PodEvent;

    /// <summary>Delete the pod: drain it, then stop its containers.</summary>
    public sealed record Delete(string Reason) : PodEvent;

    /// <summary>Every container of a deleted pod has stopped.</summary>
    public sealed record Terminated : PodEvent;

    /// <summary>Readiness-gate conditions set through the admin API.</summary>
    public sealed record SetConditions(IReadOnlyDictionary<string, bool> Conditions) : PodEvent;

    /// <summary>A readiness-gate condition the gateway sets itself, with why when it is false (a dependency no longer ready).</summary>
    public sealed record SetGate(string Type, bool Status, string Reason, string Message) : PodEvent;
}
