using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

/// <summary><c>activeDeadlineSeconds</c> and a failed <c>postStart</c> through <see cref="PodLifecycle"/>.</summary>
public sealed class PodLifecycleDeadlineAndHookTests
{
    private static PodState WithDeadline(string policy, long seconds)
    {
        var pod = Create(policy, [Container("app")]);
        pod.Spec.ActiveDeadlineSeconds = seconds;
        return pod;
    }

    [Theory]
    [InlineData(9.9, false)]
    [InlineData(10, true)]
    [InlineData(60, true)]
    public void ActiveDeadline_CountedFromThePodsStart_FailsThePodWithDeadlineExceeded(double at, bool exceeded)
    {
        var (started, startActions) = Apply(WithDeadline("Always", 10), new PodEvent.Start());
        started = Apply(started, new PodEvent.ContainerStarted("app", "a1"), 3).Pod;
        Assert.Contains(new PodAction.WakeAt(T0.AddSeconds(10)), startActions);

        var (next, actions) = Apply(started, new PodEvent.Wake(), at);

        Assert.Equal(exceeded ? PodPhase.Failed : PodPhase.Running, next.Phase);
        if (exceeded)
        {
            Assert.Equal(("DeadlineExceeded", "Pod was active on the node longer than the specified deadline"), (next.Reason, next.Message));
            Assert.Contains(new PodAction.RecordEvent("Normal", "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"), actions);
            Assert.Contains(new PodAction.StopContainers(TimeSpan.FromSeconds(30)), actions);
            Assert.Contains(PodConditions.Of(next), c => c is { Type: PodConditions.Ready, Status: false, Reason: "PodFailed" });
        }
        else
        {
            Assert.DoesNotContain(actions, a => a is PodAction.StopContainers);
        }
    }

    [Fact]
    public void ActiveDeadline_Exceeded_ContainersStoppedAreNotRestartedAndThePodStaysFailed()
    {
        var pod = Apply(Apply(WithDeadline("Always", 10), new PodEvent.Start()).Pod, new PodEvent.ContainerStarted("app", "a1"), 1).Pod;
        pod = Apply(pod, new PodEvent.Wake(), 10).Pod;

        var (stopped, actions) = Apply(pod, new PodEvent.ContainerExited("app", "a1", 143, "Error", null), 11);

        Assert.DoesNotContain(actions, a => a is PodAction.StartContainer or PodAction.WakeAt);
        Assert.Equal(PodPhase.Failed, stopped.Phase);
        Assert.Equal(143, stopped.Containers[0].Terminated!.ExitCode);
        Assert.Equal("DeadlineExceeded", stopped.Reason);
    }

    [Fact]
    public void ActiveDeadline_BackOffWaitingPastIt_TheWakeFailsThePodInsteadOfRestarting()
    {
        var pod = Apply(Apply(WithDeadline("Always", 15), new PodEvent.Start()).Pod, new PodEvent.ContainerStarted("app", "a1"), 1).Pod;
        pod = Apply(pod, new PodEvent.ContainerExited("app", "a1", 1, "Error", null), 2).Pod;
        pod = Apply(pod, new PodEvent.ContainerStarted("app", "a2"), 2).Pod;
        var (backingOff, waits) = Apply(pod, new PodEvent.ContainerExited("app", "a2", 1, "Error", null), 10);
        Assert.Contains(new PodAction.WakeAt(T0.AddSeconds(15)), waits); // the deadline comes before the restart, at 20 s

        var (failed, actions) = Apply(backingOff, new PodEvent.Wake(), 15);

        Assert.Equal(PodPhase.Failed, failed.Phase);
        Assert.DoesNotContain(actions, a => a is PodAction.StartContainer or PodAction.StopContainers);
    }

    [Theory]
    [InlineData("Always", 137, true)]
    [InlineData("OnFailure", 137, true)]
    [InlineData("Never", 137, false)]
    [InlineData("Never", 0, false)]
    public void PostStartHookFailed_AnExitThatRestartsByThePolicy(string policy, int exitCode, bool restarts)
    {
        var pod = Apply(Create(policy, [Container("app")]), new PodEvent.Start()).Pod;

        var (next, actions) = Apply(pod, new PodEvent.PostStartHookFailed("app", "a1", T0.AddSeconds(1), exitCode, exitCode == 0 ? "Completed" : "Error", null), 2);

        // The hook's events were recorded by the starter before the kill, in the kubelet's order.
        Assert.DoesNotContain(actions, a => a is PodAction.RecordEvent { Reason: "Created" or "Started" or "FailedPostStartHook" or "Killing" });
        Assert.Equal(restarts, actions.OfType<PodAction.StartContainer>().Any());
        var c = next.Containers[0];
        var termination = restarts ? c.LastTermination : c.Terminated;
        Assert.Equal((exitCode, T0.AddSeconds(1), T0.AddSeconds(2)), (termination!.ExitCode, termination.StartedAt, termination.FinishedAt));
        Assert.False(c.IsRunning);
        if (restarts)
        {
            Assert.Equal(1, Apply(next, new PodEvent.ContainerStarted("app", "a2"), 3).Pod.Containers[0].RestartCount);
        }
        else
        {
            Assert.Equal(exitCode == 0 ? PodPhase.Succeeded : PodPhase.Failed, next.Phase);
        }
    }
}
