using Gateway.Pods;
using static Gateway.Pods.ContainerClass;

namespace Gateway.Tests.Pods;

public sealed class PodPhaseCalculatorTests
{
    // One row per rule of the phase table (docs/semantics.md#pod-phase-table), single- and multi-container.
    public static TheoryData<ContainerClass[], string, PodPhase> Table => new()
    {
        { [WaitingNeverRan], "Always", PodPhase.Pending },
        { [Running, WaitingNeverRan], "Always", PodPhase.Pending },
        { [Running], "Always", PodPhase.Running },
        { [Running], "Never", PodPhase.Running },
        { [Running, Stopped], "Never", PodPhase.Running },
        { [Running, Succeeded], "OnFailure", PodPhase.Running },
        { [Stopped], "Always", PodPhase.Running },
        { [Succeeded], "Always", PodPhase.Running },
        { [Succeeded], "OnFailure", PodPhase.Succeeded },
        { [Succeeded], "Never", PodPhase.Succeeded },
        { [Succeeded, Succeeded], "Never", PodPhase.Succeeded },
        { [Stopped], "Never", PodPhase.Failed },
        { [Stopped, Succeeded], "Never", PodPhase.Failed },
        { [Stopped, Stopped], "Never", PodPhase.Failed },
        { [Stopped], "OnFailure", PodPhase.Running },
        { [Stopped, Succeeded], "OnFailure", PodPhase.Running },
        { [Running, Unknown], "Always", PodPhase.Pending },
        { [Stopped, Unknown], "Never", PodPhase.Pending },
        { [], "Always", PodPhase.Pending },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decide_PhaseTable(ContainerClass[] containers, string restartPolicy, PodPhase expected) =>
        Assert.Equal(expected, PodPhaseCalculator.Decide(containers, restartPolicy));

    // A pod being deleted whose containers have all stopped: the kubelet's podIsTerminal, whatever the policy.
    [Theory]
    [InlineData(new[] { Succeeded }, "Always", PodPhase.Succeeded)]
    [InlineData(new[] { Stopped }, "Always", PodPhase.Failed)]
    [InlineData(new[] { Succeeded, Stopped }, "OnFailure", PodPhase.Failed)]
    [InlineData(new[] { Succeeded, Succeeded }, "OnFailure", PodPhase.Succeeded)]
    [InlineData(new[] { Running, Succeeded }, "Always", PodPhase.Running)]
    [InlineData(new[] { WaitingNeverRan }, "Always", PodPhase.Pending)]
    public void Decide_PodIsTerminal_SucceededOnlyWhenEveryContainerExitedZero(ContainerClass[] containers, string restartPolicy, PodPhase expected) =>
        Assert.Equal(expected, PodPhaseCalculator.Decide(containers, restartPolicy, podIsTerminal: true));

    [Theory]
    [InlineData(0, PodPhase.Succeeded)]
    [InlineData(143, PodPhase.Failed)]
    [InlineData(137, PodPhase.Failed)]
    public void GetPhase_DeletedPodWhoseContainersStopped_ReachesItsTerminalPhase(int exitCode, PodPhase expected)
    {
        var pod = PodStates.Single("Always");
        pod = PodLifecycle.Apply(pod, new PodEvent.Start(), PodStates.T0).State;
        pod = PodLifecycle.Apply(pod, new PodEvent.ContainerStarted("app", "i"), PodStates.T0).State;
        pod = PodLifecycle.Apply(pod, new PodEvent.Delete("scale down"), PodStates.T0).State;
        Assert.Equal(PodPhase.Running, pod.Phase);

        pod = PodLifecycle.Apply(pod, new PodEvent.ContainerExited("app", "i", exitCode, exitCode == 0 ? "Completed" : "Error", null), PodStates.T0.AddSeconds(1)).State;

        Assert.Equal(expected, pod.Phase);
    }

    [Theory]
    [InlineData(ContainerRunState.Running, null, null, Running)]
    [InlineData(ContainerRunState.Waiting, null, null, WaitingNeverRan)]
    [InlineData(ContainerRunState.Waiting, null, 1, Stopped)]
    [InlineData(ContainerRunState.Terminated, 0, null, Succeeded)]
    [InlineData(ContainerRunState.Terminated, 2, null, Stopped)]
    public void Classify_CountsAsGetPhaseDoes(ContainerRunState state, int? exitCode, int? lastExitCode, ContainerClass expected)
    {
        var now = DateTimeOffset.UnixEpoch;
        var status = new ContainerStatus
        {
            Name = "c",
            State = state,
            Terminated = exitCode is { } e ? new Termination(e, "x", null, now, now, "i") : null,
            LastTermination = lastExitCode is { } l ? new Termination(l, "x", null, now, now, "i") : null,
        };

        Assert.Equal(expected, PodPhaseCalculator.Classify(status));
    }

    [Theory]
    [InlineData(PodPhase.Succeeded)]
    [InlineData(PodPhase.Failed)]
    public void GetPhase_TerminalPhase_IsSticky(PodPhase terminal)
    {
        var pod = PodStates.Single("Always") with { Phase = terminal };
        pod = pod.With(pod.Containers[0] with { State = ContainerRunState.Running, InstanceId = "i" });

        Assert.Equal(terminal, PodPhaseCalculator.GetPhase(pod));
    }

    [Fact]
    public void GetPhase_InitContainerFailedUnderNever_IsFailed()
    {
        var now = DateTimeOffset.UnixEpoch;
        var pod = PodStates.WithInit("Never");
        pod = pod.With(pod.InitContainers[0] with { State = ContainerRunState.Terminated, Terminated = new Termination(1, "Error", null, now, now, "i") });

        Assert.Equal(PodPhase.Failed, PodPhaseCalculator.GetPhase(pod));
    }

    [Fact]
    public void GetPhase_InitContainerStillRunning_IsPending()
    {
        var pod = PodStates.WithInit("Always");
        pod = pod.With(pod.InitContainers[0] with { State = ContainerRunState.Running, InstanceId = "i" });

        Assert.Equal(PodPhase.Pending, PodPhaseCalculator.GetPhase(pod));
    }
}
