using Gateway.Specs;
using Gateway.Pods;
using Gateway.Probes;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class PodLifecycleTests
{
    private static PodState Run(PodState pod, params (PodEvent Event, double At)[] events)
    {
        foreach (var (evt, at) in events)
        {
            pod = Apply(pod, evt, at).Pod;
        }

        return pod;
    }

    [Fact]
    public void Start_StartsEveryContainerAndRecordsScheduled()
    {
        var pod = Create("Always", [Container("a"), Container("b")]);

        var (next, actions) = Apply(pod, new PodEvent.Start());

        Assert.Contains(new PodAction.RecordEvent("Normal", "Scheduled", "Successfully assigned default/web-abc-xyz12 to gateway"), actions);
        Assert.Equal([new PodAction.StartContainer("a"), new PodAction.StartContainer("b")], actions.OfType<PodAction.StartContainer>());
        Assert.Equal(PodPhase.Pending, next.Phase);
    }

    [Fact]
    public void ContainerStarted_RunningWithStartingProbeValues()
    {
        var pod = Create("Always", [Container("app", liveness: ExecProbe(), readiness: ExecProbe())]);

        var (next, actions) = Apply(Run(pod, (new PodEvent.Start(), 0)), new PodEvent.ContainerStarted("app", "i1"), 1);

        var c = next.Containers[0];
        Assert.Equal(PodPhase.Running, next.Phase);
        Assert.Equal(ContainerRunState.Running, c.State);
        Assert.Equal(0, c.RestartCount);
        Assert.Equal(ProbeResult.Failure, c.Readiness);
        Assert.Equal(ProbeResult.Success, c.Liveness);
        Assert.Equal(ProbeResult.Unknown, c.Startup);
        Assert.True(c.Started);
        Assert.False(c.Ready);
        Assert.False(next.Ready);
        Assert.Equal(T0, next.StartTime);
        Assert.Contains(new PodAction.RecordEvent("Normal", "Started", "Started container app", "spec.containers{app}"), actions);
    }

    [Fact]
    public void ProbeChanged_ReadinessSuccess_MakesThePodReady_AndFailureOnlyUnreadies()
    {
        var pod = Run(Create("Always", [Container("app", readiness: ExecProbe())]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i1"), 0));

        var ready = Apply(pod, new PodEvent.ProbeChanged("app", "i1", ProbeKind.Readiness, ProbeResult.Success)).Pod;
        var (unready, actions) = Apply(ready, new PodEvent.ProbeChanged("app", "i1", ProbeKind.Readiness, ProbeResult.Failure));

        Assert.True(ready.Ready);
        Assert.False(unready.Ready);
        Assert.DoesNotContain(actions, a => a is PodAction.KillContainer);
    }

    [Fact]
    public void ProbeChanged_NoReadinessProbe_ReadyOnceStarted()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i1"), 0));

        Assert.True(pod.Ready);
        Assert.True(pod.ContainersReady);
    }

    [Fact]
    public void ProbeChanged_StartupProbe_GatesStartedAndReady()
    {
        var pod = Run(Create("Always", [Container("app", startup: ExecProbe())]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i1"), 0));
        Assert.False(pod.Containers[0].Started);
        Assert.False(pod.Ready);

        pod = Apply(pod, new PodEvent.ProbeChanged("app", "i1", ProbeKind.Startup, ProbeResult.Success)).Pod;

        Assert.True(pod.Containers[0].Started);
        Assert.True(pod.Ready);
    }

    [Fact]
    public void ProbeChanged_ForAnOldInstance_IsIgnored()
    {
        var pod = Run(Create("Always", [Container("app", liveness: ExecProbe())]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i2"), 0));

        var (next, actions) = Apply(pod, new PodEvent.ProbeChanged("app", "i1", ProbeKind.Liveness, ProbeResult.Failure));

        Assert.Empty(actions);
        Assert.Equal(ProbeResult.Success, next.Containers[0].Liveness);
    }

    [Theory]
    [InlineData(ProbeKind.Liveness, null, 30L, 30, "Always", "Container app failed liveness probe, will be restarted")]
    [InlineData(ProbeKind.Liveness, 5L, 30L, 5, "OnFailure", "Container app failed liveness probe, will be restarted")]
    [InlineData(ProbeKind.Startup, 1L, 30L, 2, "Always", "Container app failed startup probe, will be restarted")]
    [InlineData(ProbeKind.Startup, null, 0L, 2, "Always", "Container app failed startup probe, will be restarted")]
    [InlineData(ProbeKind.Liveness, null, 30L, 30, "Never", "Container app failed liveness probe")]
    [InlineData(ProbeKind.Startup, null, 30L, 30, "Never", "Container app failed startup probe")]
    public void ProbeChanged_LivenessOrStartupFailure_KillsWithTheGracePeriod(ProbeKind kind, long? probeGrace, long podGrace, int expectedGrace, string policy, string message)
    {
        var probe = ExecProbe(probeGrace);
        var container = kind == ProbeKind.Liveness ? Container("app", liveness: probe) : Container("app", startup: probe);
        var pod = Run(Create(policy, [container], grace: podGrace), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i1"), 0));

        var (next, actions) = Apply(pod, new PodEvent.ProbeChanged("app", "i1", kind, ProbeResult.Failure), 40);

        Assert.Contains(new PodAction.RecordEvent("Normal", "Killing", message, "spec.containers{app}"), actions);
        Assert.Contains(new PodAction.KillContainer("app", "i1", TimeSpan.FromSeconds(expectedGrace)), actions);
        Assert.True(next.Containers[0].Killed);
    }

    [Theory]
    [InlineData("Always", 143, "Error", true, PodPhase.Running)]
    [InlineData("Always", 0, "Completed", true, PodPhase.Running)]
    [InlineData("Always", 137, "Error", true, PodPhase.Running)]
    [InlineData("OnFailure", 0, "Completed", true, PodPhase.Running)]
    [InlineData("Never", 0, "Completed", false, PodPhase.Succeeded)]
    [InlineData("Never", 143, "Error", false, PodPhase.Failed)]
    [InlineData("Never", 137, "Error", false, PodPhase.Failed)]
    public void ContainerExited_AfterLivenessKill_ReportsTheRealExitCode_RestartsUnlessNever(string policy, int exitCode, string reason, bool restarts, PodPhase phase)
    {
        var pod = Run(Create(policy, [Container("app", liveness: ExecProbe())]),
            (new PodEvent.Start(), 0),
            (new PodEvent.ContainerStarted("app", "i1"), 0),
            (new PodEvent.ProbeChanged("app", "i1", ProbeKind.Liveness, ProbeResult.Failure), 40));

        var (exited, actions) = Apply(pod, new PodEvent.ContainerExited("app", "i1", exitCode, reason, null), 41);

        var c = exited.Containers[0];
        var termination = restarts ? c.LastTermination : c.Terminated;
        Assert.Equal((exitCode, reason), (termination!.ExitCode, termination.Reason));
        Assert.Equal(restarts, actions.Contains(new PodAction.StartContainer("app")));
        Assert.Equal(phase, exited.Phase);
        if (restarts)
        {
            var restarted = Apply(exited, new PodEvent.ContainerStarted("app", "i2"), 41).Pod;
            Assert.Equal(1, restarted.Containers[0].RestartCount);
            Assert.Equal(ProbeResult.Success, restarted.Containers[0].Liveness);
            Assert.False(restarted.Containers[0].Killed);
        }
    }

    [Fact]
    public void ContainerExited_AfterProbeKills_BackOffMeasuredFromThePreviousDeadInstance()
    {
        // The seed's pod: killed every ~40 s. The kubelet checks each restart against the instance
        // before the killed one, so the kills restart at once until the back-off outgrows the interval.
        var pod = Run(Create("Always", [Container("app", liveness: ExecProbe())]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));
        var now = 0.0;
        var waits = new List<double>();
        for (var i = 1; i <= 6; i++)
        {
            now += 40;
            pod = Apply(pod, new PodEvent.ProbeChanged("app", $"i{i - 1}", ProbeKind.Liveness, ProbeResult.Failure), now).Pod;
            now += 1;
            var (killed, actions) = Apply(pod, new PodEvent.ContainerExited("app", $"i{i - 1}", 143, "Error", null), now);
            var restartAt = killed.Containers[0].RestartAt;
            waits.Add(restartAt is { } at ? (at - T0.AddSeconds(now)).TotalSeconds : 0);
            Assert.Equal(restartAt is null, actions.Contains(new PodAction.StartContainer("app")));
            if (restartAt is { } wake)
            {
                now = (wake - T0).TotalSeconds;
                killed = Apply(killed, new PodEvent.Wake(), now).Pod;
            }

            pod = Apply(killed, new PodEvent.ContainerStarted("app", $"i{i}"), now).Pod;
            Assert.Equal(i, pod.Containers[0].RestartCount);
        }

        // 1st kill: no dead instance before it, at once. 2nd-5th: the instance before died 41 s
        // earlier, not within the back-off (none, 10, 20, 40 s): at once. 6th: 41 s < 80 s, so it waits
        // 80 s from the kill, as the kubelet's next sync measures from the instance it killed.
        Assert.Equal([0, 0, 0, 0, 0, 80], waits);
    }

    [Fact]
    public void ContainerExited_RepeatedCrashes_BackOffGrowsAndRestartCountNeverDrops()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));
        var now = 0.0;
        var seen = new List<double>();
        var backOffEvents = new List<int>();
        for (var i = 1; i <= 7; i++)
        {
            now += 1;
            var (crashed, actions) = Apply(pod, new PodEvent.ContainerExited("app", $"i{i - 1}", 1, "Error", null), now);
            var restartAt = crashed.Containers[0].RestartAt;
            var delay = restartAt is { } at ? (at - T0.AddSeconds(now)).TotalSeconds : 0;
            seen.Add(delay);
            var events = actions.Count(a => a is PodAction.RecordEvent { Reason: "BackOff", FieldPath: "spec.containers{app}" });
            if (delay > 0)
            {
                Assert.Equal("CrashLoopBackOff", crashed.Containers[0].WaitingReason);
                var shown = delay >= 60 ? $"{(int)delay / 60}m{(int)delay % 60}s" : $"{delay}s";
                Assert.Equal($"back-off {shown} restarting failed container=app pod=web-abc-xyz12_default(uid-1)", crashed.Containers[0].WaitingMessage);

                // Follow the lifecycle's own wakes (a BackOff event every 10 s) until it starts the container.
                var wake = actions.OfType<PodAction.WakeAt>().Single();
                while (!crashed.Containers[0].Starting)
                {
                    Assert.Empty(Apply(crashed, new PodEvent.Wake(), (wake.At - T0).TotalSeconds - 0.5).Actions.OfType<PodAction.RecordEvent>());
                    now = (wake.At - T0).TotalSeconds;
                    var (woken, wakeActions) = Apply(crashed, new PodEvent.Wake(), now);
                    events += wakeActions.Count(a => a is PodAction.RecordEvent { Reason: "BackOff" });
                    crashed = woken;
                    wake = wakeActions.OfType<PodAction.WakeAt>().SingleOrDefault() ?? wake;
                }

                Assert.Equal(T0.AddSeconds(now), restartAt);
            }

            backOffEvents.Add(events);
            pod = Apply(crashed, new PodEvent.ContainerStarted("app", $"i{i}"), now).Pod;
            Assert.Equal(i, pod.Containers[0].RestartCount);
        }

        Assert.Equal([0, 10, 20, 40, 80, 160, 300], seen);

        // The kubelet records BackOff at the exit and again at each sync while it waits (every 10 s).
        Assert.Equal([0, 1, 2, 4, 8, 16, 30], backOffEvents);
    }

    [Fact]
    public void ContainerExited_AfterMoreThanTenMinutesRunning_BackOffResets()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0),
            (new PodEvent.ContainerExited("app", "i0", 1, "Error", null), 1), (new PodEvent.ContainerStarted("app", "i1"), 1),
            (new PodEvent.ContainerExited("app", "i1", 1, "Error", null), 2));
        Assert.Equal("CrashLoopBackOff", pod.Containers[0].WaitingReason);
        pod = Run(pod, (new PodEvent.Wake(), 12), (new PodEvent.ContainerStarted("app", "i2"), 12));

        var stillLooping = Apply(pod, new PodEvent.ContainerExited("app", "i2", 1, "Error", null), 12 + 600).Pod;
        var (next, actions) = Apply(pod, new PodEvent.ContainerExited("app", "i2", 1, "Error", null), 12 + 601);

        Assert.Equal("CrashLoopBackOff", stillLooping.Containers[0].WaitingReason);
        Assert.Contains(new PodAction.StartContainer("app"), actions);
        Assert.Null(next.Containers[0].RestartAt);
        Assert.Equal("ContainerCreating", next.Containers[0].WaitingReason);
    }

    [Fact]
    public void ContainerExited_NeverWithFailure_PodFailedAndNothingRestarts()
    {
        var pod = Run(Single("Never"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));

        var (next, actions) = Apply(pod, new PodEvent.ContainerExited("app", "i0", 3, "Error", null), 5);

        Assert.Equal(PodPhase.Failed, next.Phase);
        Assert.Empty(actions.OfType<PodAction.StartContainer>());
        Assert.Equal(3, next.Containers[0].Terminated!.ExitCode);
    }

    [Fact]
    public void ContainerExited_OnFailureWithExitZero_PodSucceeded()
    {
        var pod = Run(Single("OnFailure"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));

        var (next, actions) = Apply(pod, new PodEvent.ContainerExited("app", "i0", 0, "Completed", null), 5);

        Assert.Equal(PodPhase.Succeeded, next.Phase);
        Assert.Empty(actions.OfType<PodAction.StartContainer>());
    }

    [Fact]
    public void ContainerExited_OneOfTwoContainersFailsUnderNever_PodStaysRunningUntilBothHave()
    {
        var pod = Run(Create("Never", [Container("a"), Container("b")]), (new PodEvent.Start(), 0),
            (new PodEvent.ContainerStarted("a", "a0"), 0), (new PodEvent.ContainerStarted("b", "b0"), 0));

        pod = Apply(pod, new PodEvent.ContainerExited("a", "a0", 1, "Error", null), 5).Pod;
        Assert.Equal(PodPhase.Running, pod.Phase);
        Assert.False(pod.Ready);

        pod = Apply(pod, new PodEvent.ContainerExited("b", "b0", 1, "Error", null), 6).Pod;
        Assert.Equal(PodPhase.Failed, pod.Phase);
    }

    [Fact]
    public void Apply_TerminalPhase_IsNeverLeft()
    {
        var pod = Run(Single("Never"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0),
            (new PodEvent.ContainerExited("app", "i0", 1, "Error", null), 1));

        var next = Run(pod, (new PodEvent.Wake(), 100), (new PodEvent.ContainerStarted("app", "late"), 101));

        Assert.Equal(PodPhase.Failed, next.Phase);
    }

    [Fact]
    public void ContainerStartFailed_IsAStartErrorAndBacksOff()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0));

        var (next, actions) = Apply(pod, new PodEvent.ContainerStartFailed("app", "exec: \"nope\": executable file not found in $PATH"), 1);

        Assert.Equal(128, next.Containers[0].LastTermination!.ExitCode);
        Assert.Equal("StartError", next.Containers[0].LastTermination!.Reason);
        Assert.Contains(actions, a => a is PodAction.RecordEvent { Reason: "Failed", FieldPath: "spec.containers{app}" } e && e.Message.Contains("executable file not found", StringComparison.Ordinal));
        Assert.Contains(new PodAction.StartContainer("app"), actions);
        Assert.Equal(PodPhase.Running, next.Phase);
    }

    [Fact]
    public void ContainerStartFailed_AfterALongRun_BacksOffFromEachFailedStartAndCountsEachAttempt()
    {
        // An instance ran for an hour; every start after it fails. The back-off is measured from each
        // failed start, not from the long run, and every attempt counts in restartCount.
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0),
            (new PodEvent.ContainerExited("app", "i0", 1, "Error", null), 3600));
        Assert.True(pod.Containers[0].Starting);
        var now = 3600.0;
        var waits = new List<double>();
        var restartCounts = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            now += 0.5;
            pod = Apply(pod, new PodEvent.ContainerStartFailed("app", "exec: \"app\": permission denied"), now).Pod;
            restartCounts.Add(pod.Containers[0].RestartCount);
            var at = pod.Containers[0].RestartAt;
            Assert.NotNull(at);
            waits.Add((at.Value - T0.AddSeconds(now)).TotalSeconds);
            Assert.Equal("CrashLoopBackOff", pod.Containers[0].WaitingReason);
            Assert.Empty(Apply(pod, new PodEvent.Wake(), (at.Value - T0).TotalSeconds - 0.5).Actions.OfType<PodAction.StartContainer>());
            now = (at.Value - T0).TotalSeconds;
            pod = Apply(pod, new PodEvent.Wake(), now).Pod;
            Assert.True(pod.Containers[0].Starting);
        }

        Assert.Equal([10, 20, 40, 80, 160], waits);
        Assert.Equal([1, 2, 3, 4, 5], restartCounts);
        var started = Apply(pod, new PodEvent.ContainerStarted("app", "i6"), now).Pod;
        Assert.Equal(6, started.Containers[0].RestartCount);
    }

    [Theory]
    [InlineData("ErrImagePull", "ErrImagePull", "ImagePullBackOff")]
    [InlineData("ErrImageNeverPull", "ErrImageNeverPull", "ErrImageNeverPull")]
    [InlineData("CreateContainerError", "CreateContainerError", "CreateContainerError")]
    public void ContainerStartFailed_WithAWaitingReason_StaysWaitingWithoutAnExit(string reason, string shownFirst, string shownWhileBackingOff)
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0));

        var (failed, actions) = Apply(pod, new PodEvent.ContainerStartFailed("app", "Failed to pull image \"x:1\": no registry", reason), 1);

        var c = failed.Containers[0];
        Assert.Equal(ContainerRunState.Waiting, c.State);
        Assert.Equal(shownFirst, c.WaitingReason);
        Assert.Equal("Failed to pull image \"x:1\": no registry", c.WaitingMessage);
        Assert.Null(c.LastTermination);
        Assert.Equal(0, c.RestartCount);
        Assert.Equal(PodPhase.Pending, failed.Phase);
        Assert.Empty(actions.OfType<PodAction.StartContainer>());
        Assert.Contains(new PodAction.RecordEvent("Warning", "Failed", "Failed to pull image \"x:1\": no registry", "spec.containers{app}"), actions);
        Assert.Contains(new PodAction.RecordEvent("Warning", "Failed", $"Error: {reason}", "spec.containers{app}"), actions);

        // The kubelet's next sync finds the pull backing off; the creation is tried again 10 s after the failure.
        var backingOff = Run(failed, (new PodEvent.Wake(), 2));
        Assert.Equal(shownWhileBackingOff, backingOff.Containers[0].WaitingReason);
        var (retried, retry) = Apply(backingOff, new PodEvent.Wake(), 11);
        Assert.Equal([new PodAction.StartContainer("app")], retry.OfType<PodAction.StartContainer>());
        Assert.True(retried.Containers[0].Starting);
    }

    [Fact]
    public void ErrImagePull_ShowsImagePullBackOffWithABackOffEvent_AndTheBackOffGrowsUntilAPullSucceeds()
    {
        var pod = Create("Always", [new V1Container { Name = "app", Image = "x:1" }]);
        pod = Run(pod, (new PodEvent.Start(), 0), (new PodEvent.ContainerStartFailed("app", "Failed to pull image \"x:1\": no registry", "ErrImagePull"), 0));
        Assert.Contains(new PodAction.WakeAt(T0.AddSeconds(1)), Apply(pod, new PodEvent.SetConditions(new Dictionary<string, bool>()), 0).Actions);

        var (backingOff, actions) = Apply(pod, new PodEvent.Wake(), 1);

        Assert.Equal("ImagePullBackOff", backingOff.Containers[0].WaitingReason);
        Assert.Equal("Back-off pulling image \"x:1\"", backingOff.Containers[0].WaitingMessage);
        Assert.Contains(new PodAction.RecordEvent("Normal", "BackOff", "Back-off pulling image \"x:1\"", "spec.containers{app}"), actions);
        Assert.Contains(new PodAction.RecordEvent("Warning", "Failed", "Error: ImagePullBackOff", "spec.containers{app}"), actions);
        Assert.Contains(new PodAction.WakeAt(T0.AddSeconds(10)), actions);

        // Second failure: 20 s; then a successful start forgets the back-off.
        var second = Run(backingOff, (new PodEvent.Wake(), 10), (new PodEvent.ContainerStartFailed("app", "again", "ErrImagePull"), 10));
        Assert.Equal(T0.AddSeconds(30), second.Containers[0].CreateRetryAt);
        var started = Run(second, (new PodEvent.Wake(), 11), (new PodEvent.Wake(), 30), (new PodEvent.ContainerStarted("app", "i1"), 31));
        Assert.Equal(ContainerRunState.Running, started.Containers[0].State);
        Assert.Equal(0, started.Containers[0].CreateBackoffStep);
        Assert.Null(started.Containers[0].CreateRetryAt);
        Assert.Equal(0, started.Containers[0].RestartCount);
    }

    [Fact]
    public void ContainerStartFailed_WithAWaitingReasonAfterARun_KeepsTheLastTerminationAndThePodRunning()
    {
        var pod = Run(Single("Always"), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0),
            (new PodEvent.ContainerExited("app", "i0", 1, "Error", null), 5));

        var next = Apply(pod, new PodEvent.ContainerStartFailed("app", "engine down", "CreateContainerError"), 6).Pod;

        Assert.Equal("CreateContainerError", next.Containers[0].WaitingReason);
        Assert.Equal(1, next.Containers[0].LastTermination!.ExitCode);
        Assert.Equal(PodPhase.Running, next.Phase);
    }

    [Fact]
    public void ContainerAdopted_RunsWithItsStartTimeAndRestartCount_AndStartDoesNotStartItAgain()
    {
        var pod = Create("Always", [Container("app", readiness: ExecProbe())]);

        var (adopted, a1) = Apply(pod, new PodEvent.ContainerAdopted("app", "docker-1", 3, T0.AddSeconds(-60)), 0);
        var (started, a2) = Apply(adopted, new PodEvent.Start(), 0);

        var c = started.Containers[0];
        Assert.Equal(ContainerRunState.Running, c.State);
        Assert.Equal("docker-1", c.InstanceId);
        Assert.Equal(3, c.RestartCount);
        Assert.Equal(T0.AddSeconds(-60), c.StartedAt);
        Assert.Equal(T0.AddSeconds(-60), started.StartTime);
        Assert.Equal(ProbeResult.Failure, c.Readiness);
        Assert.Equal(PodPhase.Running, started.Phase);
        Assert.DoesNotContain(a1.Concat(a2), a => a is PodAction.StartContainer or PodAction.RecordEvent { Reason: "Created" or "Started" });
    }

    [Fact]
    public void InitContainers_RunInOrderToCompletionBeforeTheContainers()
    {
        var pod = Create("Always", [Container("app")], [Container("init-1"), Container("init-2")]);

        var (started, a1) = Apply(pod, new PodEvent.Start());
        Assert.Equal([new PodAction.StartContainer("init-1")], a1.OfType<PodAction.StartContainer>());

        var (second, a2) = Apply(Run(started, (new PodEvent.ContainerStarted("init-1", "x"), 0)), new PodEvent.ContainerExited("init-1", "x", 0, "Completed", null), 1);
        Assert.Equal([new PodAction.StartContainer("init-2")], a2.OfType<PodAction.StartContainer>());
        Assert.Equal(PodPhase.Pending, second.Phase);
        Assert.False(second.Initialized);

        var (main, a3) = Apply(Run(second, (new PodEvent.ContainerStarted("init-2", "y"), 1)), new PodEvent.ContainerExited("init-2", "y", 0, "Completed", null), 2);
        Assert.Equal([new PodAction.StartContainer("app")], a3.OfType<PodAction.StartContainer>());
        Assert.True(main.Initialized);
    }

    [Fact]
    public void InitContainers_FailureUnderAlways_RestartsTheInitContainer()
    {
        var pod = Run(Create("Always", [Container("app")], [Container("init")]), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("init", "x"), 0));

        var (next, actions) = Apply(pod, new PodEvent.ContainerExited("init", "x", 1, "Error", null), 1);

        Assert.Equal([new PodAction.StartContainer("init")], actions.OfType<PodAction.StartContainer>());
        Assert.Equal(PodPhase.Pending, next.Phase);
    }

    [Fact]
    public void ReadinessGates_ReadyOnlyWhenEveryGateIsTrue()
    {
        var pod = Single("Always");
        pod = pod with { Spec = new V1PodSpec { RestartPolicy = "Always", Containers = pod.Spec.Containers, ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }] } };
        pod = Run(pod, (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));
        Assert.True(pod.ContainersReady);
        Assert.False(pod.Ready);

        pod = Apply(pod, new PodEvent.SetConditions(new Dictionary<string, bool> { ["example.com/lb"] = true })).Pod;
        Assert.True(pod.Ready);

        pod = Apply(pod, new PodEvent.SetConditions(new Dictionary<string, bool> { ["example.com/lb"] = false })).Pod;
        Assert.False(pod.Ready);
    }

    [Fact]
    public void Delete_TerminatesWithThePodGraceAndNothingRestarts()
    {
        var pod = Run(Create("Always", [Container("app", liveness: ExecProbe())], grace: 7), (new PodEvent.Start(), 0), (new PodEvent.ContainerStarted("app", "i0"), 0));

        var (deleting, actions) = Apply(pod, new PodEvent.Delete("scale down"), 10);
        Assert.True(deleting.IsDeleting);
        Assert.Contains(new PodAction.TerminatePod(TimeSpan.FromSeconds(7)), actions);
        Assert.Contains(new PodAction.RecordEvent("Normal", "Killing", "Stopping container app", "spec.containers{app}"), actions);

        var (noKill, killActions) = Apply(deleting, new PodEvent.ProbeChanged("app", "i0", ProbeKind.Liveness, ProbeResult.Failure), 11);
        Assert.DoesNotContain(killActions, a => a is PodAction.KillContainer);

        var (exited, exitActions) = Apply(noKill, new PodEvent.ContainerExited("app", "i0", 0, "Completed", null), 12);
        Assert.Empty(exitActions.OfType<PodAction.StartContainer>());
        Assert.Equal(ContainerRunState.Terminated, exited.Containers[0].State);
    }
}
