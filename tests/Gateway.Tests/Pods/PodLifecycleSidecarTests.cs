using Gateway.Pods;
using Gateway.Probes;
using Gateway.Specs;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

/// <summary>Sidecars (init containers with <c>restartPolicy: Always</c>) through <see cref="PodLifecycle"/>: docs/semantics.md#sidecars.</summary>
public sealed class PodLifecycleSidecarTests
{
    private static IEnumerable<string> Starts(IReadOnlyList<PodAction> actions) => actions.OfType<PodAction.StartContainer>().Select(s => s.Container);

    [Fact]
    public void Start_SidecarFirst_TheNextInitContainerStartsOnceItRunsNotOnceItExits()
    {
        var pod = Create("Always", [Container("app")], [Sidecar("proxy"), Container("migrate")]);

        var (started, actions) = Apply(pod, new PodEvent.Start());
        Assert.Equal(["proxy"], Starts(actions));
        Assert.Equal(PodPhase.Pending, started.Phase);

        (started, actions) = Apply(started, new PodEvent.ContainerStarted("proxy", "p1"), 1);
        Assert.Equal(["migrate"], Starts(actions));

        (started, actions) = Apply(started, new PodEvent.ContainerStarted("migrate", "m1"), 2);
        Assert.Empty(Starts(actions));
        (started, actions) = Apply(started, new PodEvent.ContainerExited("migrate", "m1", 0, "Completed", null), 3);
        Assert.Equal(["app"], Starts(actions));

        started = Apply(started, new PodEvent.ContainerStarted("app", "a1"), 4).Pod;
        Assert.Equal(PodPhase.Running, started.Phase);
        Assert.True(started.FindContainer("proxy")!.IsRunning);
        Assert.True(started.Initialized);
    }

    [Fact]
    public void Start_SidecarWithAStartupProbe_TheContainersWaitForItToPass()
    {
        var pod = Create("Always", [Container("app")], [Sidecar("proxy", startup: ExecProbe())]);
        pod = Apply(Apply(pod, new PodEvent.Start()).Pod, new PodEvent.ContainerStarted("proxy", "p1"), 1).Pod;
        Assert.Equal(PodPhase.Pending, pod.Phase);
        Assert.Contains(PodConditions.Of(pod), c => c is { Type: PodConditions.Initialized, Status: false, Message: "containers with incomplete status: [proxy]" });

        var (passed, actions) = Apply(pod, new PodEvent.ProbeChanged("proxy", "p1", ProbeKind.Startup, ProbeResult.Success), 2);

        Assert.Equal(["app"], Starts(actions));
        Assert.True(passed.FindContainer("proxy")!.Started);
    }

    [Theory]
    [InlineData("Always", 0)]
    [InlineData("Always", 1)]
    [InlineData("OnFailure", 0)]
    [InlineData("Never", 0)]
    [InlineData("Never", 2)]
    public void SidecarExits_RestartedWhateverThePolicyAndTheExitCode(string policy, int exitCode)
    {
        var pod = Running(policy);

        var (next, actions) = Apply(pod, new PodEvent.ContainerExited("proxy", "p1", exitCode, exitCode == 0 ? "Completed" : "Error", null), 10);

        Assert.Equal(["proxy"], Starts(actions));
        Assert.Equal(PodPhase.Running, next.Phase);
        next = Apply(next, new PodEvent.ContainerStarted("proxy", "p2"), 11).Pod;
        Assert.Equal(1, next.FindContainer("proxy")!.RestartCount);

        // The second exit backs off, as any crash loop.
        (next, actions) = Apply(next, new PodEvent.ContainerExited("proxy", "p2", exitCode, "Error", null), 12);
        Assert.Empty(Starts(actions));
        Assert.Equal("CrashLoopBackOff", next.FindContainer("proxy")!.WaitingReason);
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, false, false)]
    [InlineData(true, true, true)]
    public void Readiness_ASidecarsReadinessCountsTowardThePods(bool hasProbe, bool passed, bool podReady)
    {
        var pod = Create("Always", [Container("app")], [Sidecar("proxy", readiness: hasProbe ? ExecProbe() : null)]);
        pod = Apply(Apply(Apply(pod, new PodEvent.Start()).Pod, new PodEvent.ContainerStarted("proxy", "p1")).Pod, new PodEvent.ContainerStarted("app", "a1")).Pod;
        if (hasProbe && passed)
        {
            pod = Apply(pod, new PodEvent.ProbeChanged("proxy", "p1", ProbeKind.Readiness, ProbeResult.Success)).Pod;
        }

        Assert.Equal(podReady, pod.Ready);
        Assert.Equal(podReady ? null : "containers with unready status: [proxy]", PodConditions.Of(pod).Single(c => c.Type == PodConditions.ContainersReady).Message);
    }

    [Theory]
    [InlineData("Never", 0, "Succeeded")]
    [InlineData("Never", 1, "Failed")]
    [InlineData("OnFailure", 0, "Succeeded")]
    public void ContainersComplete_SidecarsStoppedAndThePodEnds(string policy, int exitCode, string phase)
    {
        var pod = Running(policy);

        var (done, actions) = Apply(pod, new PodEvent.ContainerExited("app", "a1", exitCode, exitCode == 0 ? "Completed" : "Error", null), 10);

        Assert.Contains(new PodAction.StopContainers(TimeSpan.FromSeconds(30)), actions);
        Assert.Contains(new PodAction.RecordEvent("Normal", "Killing", "Stopping container proxy", "spec.initContainers{proxy}"), actions);
        Assert.Equal(PodPhase.Running, done.Phase);

        var (ended, after) = Apply(done, new PodEvent.ContainerExited("proxy", "p1", 143, "Error", null), 11);

        Assert.Empty(Starts(after));
        Assert.Equal(phase, ended.Phase.ToString());
        Assert.Equal(ContainerRunState.Terminated, ended.FindContainer("proxy")!.State);
    }

    [Fact]
    public void ContainersComplete_SidecarBackingOff_EndsWithoutARestart()
    {
        var pod = Running("Never");
        pod = Apply(pod, new PodEvent.ContainerExited("proxy", "p1", 1, "Error", null), 5).Pod;
        pod = Apply(pod, new PodEvent.ContainerStarted("proxy", "p2"), 5).Pod;
        pod = Apply(pod, new PodEvent.ContainerExited("proxy", "p2", 1, "Error", null), 6).Pod;
        Assert.Equal("CrashLoopBackOff", pod.FindContainer("proxy")!.WaitingReason);

        var (ended, actions) = Apply(pod, new PodEvent.ContainerExited("app", "a1", 0, "Completed", null), 7);

        Assert.DoesNotContain(actions, a => a is PodAction.StopContainers or PodAction.WakeAt);
        Assert.Equal(PodPhase.Succeeded, ended.Phase);
        Assert.Equal(1, ended.FindContainer("proxy")!.Terminated!.ExitCode);
    }

    [Fact]
    public void ContainersComplete_SidecarStartAnsweredLate_IsStoppedAtOnce()
    {
        var pod = Running("Never");
        pod = Apply(pod, new PodEvent.ContainerExited("proxy", "p1", 1, "Error", null), 5).Pod;
        pod = Apply(pod, new PodEvent.ContainerExited("app", "a1", 0, "Completed", null), 6).Pod;

        var (_, actions) = Apply(pod, new PodEvent.ContainerStarted("proxy", "p2"), 7);

        Assert.Contains(new PodAction.KillContainer("proxy", "p2", TimeSpan.FromSeconds(30)), actions);
    }

    [Fact]
    public void SidecarLivenessFails_KilledAndRestartedEvenUnderNever()
    {
        var pod = Create("Never", [Container("app")], [Sidecar("proxy", liveness: ExecProbe())]);
        pod = Apply(Apply(Apply(pod, new PodEvent.Start()).Pod, new PodEvent.ContainerStarted("proxy", "p1")).Pod, new PodEvent.ContainerStarted("app", "a1")).Pod;

        var (killed, actions) = Apply(pod, new PodEvent.ProbeChanged("proxy", "p1", ProbeKind.Liveness, ProbeResult.Failure), 5);
        Assert.Contains(new PodAction.RecordEvent("Normal", "Killing", "Container proxy failed liveness probe, will be restarted", "spec.initContainers{proxy}"), actions);

        (_, actions) = Apply(killed, new PodEvent.ContainerExited("proxy", "p1", 143, "Error", null), 6);
        Assert.Equal(["proxy"], Starts(actions));
    }

    private static PodState Running(string policy)
    {
        var pod = Create(policy, [Container("app")], [Sidecar("proxy")]);
        pod = Apply(pod, new PodEvent.Start()).Pod;
        pod = Apply(pod, new PodEvent.ContainerStarted("proxy", "p1"), 1).Pod;
        return Apply(pod, new PodEvent.ContainerStarted("app", "a1"), 2).Pod;
    }
}
