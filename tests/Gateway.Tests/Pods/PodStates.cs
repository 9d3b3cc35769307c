using Gateway.Pods;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Pods;

/// <summary>Small pod states for the lifecycle and phase tests.</summary>
internal static class PodStates
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary><see cref="PodLifecycle.Apply"/> at <paramref name="atSeconds"/> after <see cref="T0"/>.</summary>
    public static (PodState Pod, IReadOnlyList<PodAction> Actions) Apply(PodState pod, PodEvent evt, double atSeconds = 0) =>
        PodLifecycle.Apply(pod, evt, T0.AddSeconds(atSeconds));

    public static PodState Create(string restartPolicy, IEnumerable<V1Container> containers, IEnumerable<V1Container>? initContainers = null, long grace = PodSpecDefaults.TerminationGracePeriodSeconds)
    {
        var spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = grace,
            Containers = [.. containers],
            InitContainers = initContainers?.ToList(),
        };
        var backend = new PodsBackend { PodSpec = spec, Labels = new Dictionary<string, string> { ["app"] = "web" }, TemplateHash = "abc" };
        return PodState.Create("web", backend, "web-abc-xyz12", "uid-1", T0);
    }

    public static V1Container Container(string name, V1Probe? liveness = null, V1Probe? readiness = null, V1Probe? startup = null) =>
        new() { Name = name, Command = ["app"], LivenessProbe = liveness, ReadinessProbe = readiness, StartupProbe = startup };

    public static V1Probe ExecProbe(long? terminationGracePeriodSeconds = null) =>
        new() { Exec = new V1ExecAction { Command = ["true"] }, PeriodSeconds = 1, FailureThreshold = 1, SuccessThreshold = 1, TerminationGracePeriodSeconds = terminationGracePeriodSeconds };

    /// <summary>An exec probe with the given timing, for worker tests that drive a fake clock.</summary>
    public static V1Probe TimedProbe(int period, int failureThreshold = 3, int initialDelay = 0, long? terminationGracePeriodSeconds = null) => new()
    {
        Exec = new V1ExecAction { Command = ["check"] },
        PeriodSeconds = period,
        FailureThreshold = failureThreshold,
        SuccessThreshold = 1,
        InitialDelaySeconds = initialDelay,
        TimeoutSeconds = 1,
        TerminationGracePeriodSeconds = terminationGracePeriodSeconds,
    };

    /// <summary>An init container with <c>restartPolicy: Always</c>.</summary>
    public static V1Container Sidecar(string name, V1Probe? readiness = null, V1Probe? startup = null, V1Probe? liveness = null)
    {
        var sidecar = Container(name, liveness, readiness, startup);
        sidecar.RestartPolicy = "Always";
        return sidecar;
    }

    public static PodState Single(string restartPolicy) => Create(restartPolicy, [Container("app")]);

    public static PodState WithInit(string restartPolicy) => Create(restartPolicy, [Container("app")], [Container("init")]);
}
