using Gateway.Pods;
using Gateway.Probes;
using Gateway.Specs;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class PodConditionsTests
{
    private static PodState Run(PodState pod, params (PodEvent Event, double At)[] events)
    {
        foreach (var (evt, at) in events)
        {
            pod = PodLifecycle.Apply(pod, evt, T0.AddSeconds(at)).State;
        }

        return pod;
    }

    private static string Show(PodState pod) => string.Join(
        "; ", PodConditions.Of(pod).Select(c => $"{c.Type}={c.Status}" + (c.Reason is null ? "" : $" {c.Reason}") + (c.Message is null ? "" : $" \"{c.Message}\"")));

    public static TheoryData<string, string> Cases => new()
    {
        {
            "starting",
            "PodReadyToStartContainers=True; Initialized=True; Ready=False ContainersNotReady \"containers with unready status: [web side]\"; "
            + "ContainersReady=False ContainersNotReady \"containers with unready status: [web side]\"; PodScheduled=True"
        },
        {
            "one ready",
            "PodReadyToStartContainers=True; Initialized=True; Ready=False ContainersNotReady \"containers with unready status: [side]\"; "
            + "ContainersReady=False ContainersNotReady \"containers with unready status: [side]\"; PodScheduled=True"
        },
        { "all ready", "PodReadyToStartContainers=True; Initialized=True; Ready=True; ContainersReady=True; PodScheduled=True" },
        {
            "succeeded",
            "PodReadyToStartContainers=False; Initialized=True PodCompleted; Ready=False PodCompleted; ContainersReady=False PodCompleted; PodScheduled=True"
        },
        {
            "failed",
            "PodReadyToStartContainers=False; Initialized=True; Ready=False PodFailed; ContainersReady=False PodFailed; PodScheduled=True"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_PodInEachStage_WordedAsTheKubelet(string stage, string expected)
    {
        var pod = Run(Create("Never", [Container("web", readiness: ExecProbe()), Container("side", readiness: ExecProbe())]),
            (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("web", "w"), 0), (new PodEvent.ContainerStarted("side", "s"), 0));
        pod = stage switch
        {
            "starting" => pod,
            "one ready" => Run(pod, (new PodEvent.ProbeChanged("web", "w", ProbeKind.Readiness, ProbeResult.Success), 1)),
            "all ready" => Run(pod, (new PodEvent.ProbeChanged("web", "w", ProbeKind.Readiness, ProbeResult.Success), 1),
                (new PodEvent.ProbeChanged("side", "s", ProbeKind.Readiness, ProbeResult.Success), 1)),
            "succeeded" => Run(pod, (new PodEvent.ContainerExited("web", "w", 0, "Completed", null), 2), (new PodEvent.ContainerExited("side", "s", 0, "Completed", null), 2)),
            _ => Run(pod, (new PodEvent.ContainerExited("web", "w", 0, "Completed", null), 2), (new PodEvent.ContainerExited("side", "s", 1, "Error", null), 2)),
        };

        Assert.Equal(expected, Show(pod));
    }

    [Fact]
    public void Of_InitContainers_IncompleteUntilEachExitedZeroAndThenReady()
    {
        var pod = Run(Create("Always", [Container("app")], [Container("init-1"), Container("init-2")]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("init-1", "x"), 0));
        Assert.Contains("Initialized=False ContainersNotInitialized \"containers with incomplete status: [init-1 init-2]\"", Show(pod), StringComparison.Ordinal);
        Assert.False(pod.InitContainers[0].Ready);

        pod = Run(pod, (new PodEvent.ContainerExited("init-1", "x", 0, "Completed", null), 1));

        Assert.True(pod.InitContainers[0].Ready);
        Assert.False(pod.InitContainers[0].Started);
        Assert.Contains("Initialized=False ContainersNotInitialized \"containers with incomplete status: [init-2]\"", Show(pod), StringComparison.Ordinal);
    }

    [Fact]
    public void Of_ReadinessGates_ReadyFalseNamingTheGate()
    {
        var pod = Single("Always");
        pod = pod with { Spec = new V1PodSpec { RestartPolicy = "Always", Containers = pod.Spec.Containers, ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }] } };
        pod = Run(pod, (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));
        Assert.Contains("Ready=False ReadinessGatesNotReady \"corresponding condition of pod readiness gate \"example.com/lb\" does not exist.\"", Show(pod), StringComparison.Ordinal);

        pod = Run(pod, (new PodEvent.SetConditions(new Dictionary<string, bool> { ["example.com/lb"] = false }), 1));

        Assert.Contains("Ready=False ReadinessGatesNotReady \"the status of pod readiness gate \"example.com/lb\" is not \"True\", but False\"", Show(pod), StringComparison.Ordinal);
        Assert.EndsWith("example.com/lb=False", Show(pod), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ConditionChanges_StampsItsTransitionTimeOnly()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 5));

        Assert.Equal((true, T0.AddSeconds(5)), pod.ConditionTransitions[PodConditions.Ready]);
        Assert.Equal((true, T0), pod.ConditionTransitions[PodConditions.PodScheduled]);

        pod = Run(pod, (new PodEvent.ContainerExited("app", "i0", 1, "Error", null), 9), (new PodEvent.ContainerStarted("app", "i1"), 9));
        pod = Run(pod, (new PodEvent.SetConditions(new Dictionary<string, bool>()), 12));

        Assert.Equal((true, T0.AddSeconds(9)), pod.ConditionTransitions[PodConditions.Ready]);
        Assert.Equal((true, T0), pod.ConditionTransitions[PodConditions.PodScheduled]);
    }
}
