using Gateway.Events;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class ContainerStopperTests
{
    private readonly PodHarness _harness = new();
    private readonly ContainerStopper _stopper;

    public ContainerStopperTests() => _stopper = new ContainerStopper(_harness.Context, NullLogger.Instance);

    [Fact]
    public async Task KillAsync_PreStopRunsAtOnceWithTheDrain_StopSignalOnceBothAreDoneWithWhatIsLeftOfTheGrace()
    {
        var pod = PodHarness.Pod(WithPreStop(Container("app"), "flush", "$(POD_NAME)", "$(PORT)"));
        var running = await _harness.StartAsync(pod, "app");
        _harness.Drainer.Hold();

        var kill = _stopper.KillAsync(pod, running, TimeSpan.FromSeconds(20));
        var drain = await _harness.Drainer.WaitForDrainAsync(pod.Name);
        var (stopsWhileDraining, execsWhileDraining) = (_harness.Runtime.Stops.Count, Instance(running).Execs.Count);
        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        _harness.Drainer.Release();
        await kill.WaitAsync(ConditionSignal.SafetyNet);

        // The drain's share leaves the stop signal at least 2 s of the grace period.
        Assert.Equal(T0.AddSeconds(18), drain.Deadline);
        Assert.Equal((0, 1), (stopsWhileDraining, execsWhileDraining));
        var preStop = Assert.Single(Instance(running).Execs);
        Assert.Equal(["flush", pod.Name, "31000"], preStop.Command);
        Assert.Equal(TimeSpan.FromSeconds(20), preStop.Timeout);
        var stop = Assert.Single(_harness.Runtime.Stops);
        Assert.Equal(("app", running.Instance.Id, TimeSpan.FromSeconds(15)), (stop.Container, stop.InstanceId, stop.GracePeriod));

        // The stages, where kubectl describe shows them: on the container, each with its duration.
        var stopped = Assert.Single(_harness.Events.Snapshot, e => e.Reason == ContainerStopper.StoppedReason);
        Assert.StartsWith("Stopped container app: drain 5s, preStop 0s, stop signal at 5s with 15s before SIGKILL, exited ", stopped.Message, StringComparison.Ordinal);
        Assert.Equal((EventType.Normal, "spec.containers{app}"), (stopped.Type, stopped.FieldPath));
    }

    [Theory]
    [InlineData(0, 0, 0, 30, 0.1, 143, "Stopped container web: drain 0s, preStop 0s, stop signal at 0s with 30s before SIGKILL, exited 0.1s after it with code 143")]
    [InlineData(4.25, 1.5, 4.25, 2, 2, null, "Stopped container web: drain 4.25s, preStop 1.5s, stop signal at 4.25s with 2s before SIGKILL, exited 2s after it")]
    public void StoppedMessage_EveryStageAndItsDuration(double drain, double preStop, double signalAt, double killAfter, double exited, int? code, string expected) =>
        Assert.Equal(expected, ContainerStopper.StoppedMessage("web", TimeSpan.FromSeconds(drain), TimeSpan.FromSeconds(preStop), TimeSpan.FromSeconds(signalAt),
            TimeSpan.FromSeconds(killAfter), TimeSpan.FromSeconds(exited), code));

    [Theory]
    [InlineData(6, 4, 2)] // a request held the drain for its whole share: 2 s remain
    [InlineData(6, 6, 2)] // the drain outlived the grace period: SIGKILL still waits 2 s
    [InlineData(6, 1, 5)]
    [InlineData(1, 0, 2)] // a grace period under 2 s: still 2 s
    public async Task KillAsync_AfterTheDrain_StopSignalGetsWhatIsLeftButNeverLessThanTwoSeconds(int graceSeconds, int drainSeconds, int expectedStopGrace)
    {
        var pod = PodHarness.Pod(Container("app"));
        var running = await _harness.StartAsync(pod, "app");
        _harness.Drainer.Hold();

        var kill = _stopper.KillAsync(pod, running, TimeSpan.FromSeconds(graceSeconds));
        var drain = await _harness.Drainer.WaitForDrainAsync(pod.Name);
        _harness.Time.Advance(TimeSpan.FromSeconds(drainSeconds));
        _harness.Drainer.Release();
        await kill.WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(T0.AddSeconds(Math.Max(0, graceSeconds - 2)), drain.Deadline);
        var stop = Assert.Single(_harness.Runtime.Stops);
        Assert.Equal((TimeSpan.FromSeconds(expectedStopGrace), T0.AddSeconds(drainSeconds)), (stop.GracePeriod, stop.At));
    }

    [Fact]
    public async Task KillAsync_LongPreStop_StopSignalWaitsForItAndStillGetsTwoSeconds()
    {
        var container = Container("app");
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 60 } } };
        var pod = PodHarness.Pod(container);
        var running = await _harness.StartAsync(pod, "app");

        var timers = _harness.Time.Timers.Count;

        var kill = _stopper.KillAsync(pod, running, TimeSpan.FromSeconds(10));
        await _harness.Drainer.WaitForDrainAsync(pod.Name);
        await _harness.Time.WaitForTimersAsync(timers + 1);
        Assert.Empty(_harness.Runtime.Stops);
        _harness.Time.Advance(TimeSpan.FromSeconds(10));
        await kill.WaitAsync(ConditionSignal.SafetyNet);

        var stop = Assert.Single(_harness.Runtime.Stops);
        Assert.Equal((TimeSpan.FromSeconds(2), T0.AddSeconds(10)), (stop.GracePeriod, stop.At));
    }

    [Fact]
    public async Task KillAsync_PreStopFails_RecordsFailedPreStopHookInTheKubeletsWordsLogsWhyAndStopsAnyway()
    {
        var pod = PodHarness.Pod(WithPreStop(Container("app"), "flush"));
        var running = await _harness.StartAsync(pod, "app");
        _harness.Runtime.ExecResult = new ExecResult(2, "disk full\n", TimedOut: false);
        var logger = new RecordingLogger();

        await new ContainerStopper(_harness.Context, logger).KillAsync(pod, running, TimeSpan.FromSeconds(10)).WaitAsync(ConditionSignal.SafetyNet);

        // The kubelet leaves the hook's output out of the event, lest it show a secret; the log has it.
        var failed = Assert.Single(_harness.Events.Snapshot, e => e.Reason == "FailedPreStopHook");
        Assert.Equal(("Warning", "PreStopHook failed", "spec.containers{app}"), (failed.Type, failed.Message, failed.FieldPath));
        Assert.Contains(logger.Entries, e => e.Message == $"pod {pod.Name} container app: preStop hook failed: command exited with 2: disk full");
        Assert.Equal(TimeSpan.FromSeconds(10), Assert.Single(_harness.Runtime.Stops).GracePeriod);
    }

    [Fact]
    public async Task KillAsync_PreStopOutlivesTheGrace_LoggedAsTheKubeletDoesWithoutAnEvent()
    {
        var container = Container("app");
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 60 } } };
        var pod = PodHarness.Pod(container);
        var running = await _harness.StartAsync(pod, "app");
        var logger = new RecordingLogger();
        var timers = _harness.Time.Timers.Count;

        var kill = new ContainerStopper(_harness.Context, logger).KillAsync(pod, running, TimeSpan.FromSeconds(10));
        await _harness.Time.WaitForTimersAsync(timers + 1);
        _harness.Time.Advance(TimeSpan.FromSeconds(10));
        await kill.WaitAsync(ConditionSignal.SafetyNet);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"pod {pod.Name} container app: preStop hook not completed in the grace period", StringComparison.Ordinal));
        Assert.DoesNotContain(_harness.Events.Snapshot, e => e.Reason == "FailedPreStopHook");
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(_harness.Runtime.Stops).GracePeriod);
    }

    [Fact]
    public async Task KillAsync_NoGracePeriod_NoPreStopHookAndStillTwoSecondsBeforeSigkill()
    {
        var pod = PodHarness.Pod(WithPreStop(Container("app"), "flush"));
        var running = await _harness.StartAsync(pod, "app");

        await _stopper.KillAsync(pod, running, TimeSpan.Zero).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Empty(Instance(running).Execs);
        Assert.DoesNotContain(_harness.Events.Snapshot, e => e.Reason == "FailedPreStopHook");
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(_harness.Runtime.Stops).GracePeriod);
    }

    [Fact]
    public async Task KillUnstartedAsync_NoDrain_PreStopThenTheStopSignalWithTheRestOfTheGrace()
    {
        var pod = PodHarness.Pod(WithPreStop(Container("app"), "flush"));
        var running = await _harness.StartAsync(pod, "app");

        await _stopper.KillUnstartedAsync(pod, running, TimeSpan.FromSeconds(30)).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Empty(_harness.Drainer.Calls);
        Assert.Equal(["flush"], Assert.Single(Instance(running).Execs).Command);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(_harness.Runtime.Stops).GracePeriod);
    }

    [Fact]
    public async Task KillAsync_DrainFails_StopsAnyway()
    {
        var pod = PodHarness.Pod(Container("app"));
        var running = await _harness.StartAsync(pod, "app");
        var stopper = new ContainerStopper(_harness.Context with { Drainer = new FailingDrainer() }, NullLogger.Instance);

        await stopper.KillAsync(pod, running, TimeSpan.FromSeconds(10)).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(running.Instance.Id, Assert.Single(_harness.Runtime.Stops).InstanceId);
    }

    [Fact]
    public async Task TerminateAsync_StopsEveryRunningInstanceButNotTheOnesThatExited()
    {
        var pod = PodHarness.Pod(Container("app"), Container("sidecar"), Container("done"));
        var instances = ContainerInstances.Empty;
        foreach (var name in new[] { "app", "sidecar", "done" })
        {
            instances = instances.With(await _harness.StartAsync(pod, name), out _);
        }

        Instance(instances.Current["done"]).Exit(0);
        await _stopper.TerminateAsync(pod, TimeSpan.FromSeconds(30), [], () => instances).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(["app", "sidecar"], _harness.Runtime.Stops.Select(s => s.Container).Order(StringComparer.Ordinal));
        Assert.All(_harness.Runtime.Stops, s => Assert.Equal(TimeSpan.FromSeconds(30), s.GracePeriod));
        Assert.Equal(T0.AddSeconds(28), Assert.Single(_harness.Drainer.Calls).Deadline);
    }

    [Fact]
    public async Task TerminateAsync_StartAnsweredAfterTheDeletion_IsStoppedThoughNotTracked()
    {
        var pod = PodHarness.Pod(Container("app"));
        _harness.Runtime.HoldStarts = true;
        var starter = _harness.Starter();
        starter.Start(pod, "app");
        await _harness.Runtime.WaitForHeldStartsAsync(1);

        var starts = starter.CancelAll();
        await _stopper.TerminateAsync(pod, TimeSpan.FromSeconds(30), starts, () => ContainerInstances.Empty).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal("i1", Assert.Single(_harness.Runtime.Stops).InstanceId);
    }

    [Fact]
    public async Task TerminateAsync_StartTrackedMeanwhile_IsStoppedOnce()
    {
        var pod = PodHarness.Pod(Container("app"));
        var starter = _harness.Starter();
        starter.Start(pod, "app");
        var running = Assert.Single(await _harness.WaitForStartedAsync(1));
        var instances = ContainerInstances.Empty.With(running, out _);

        await _stopper.TerminateAsync(pod, TimeSpan.FromSeconds(30), starter.CancelAll(), () => instances).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal("i1", Assert.Single(_harness.Runtime.Stops).InstanceId);
    }

    private static InMemoryRuntime.Instance Instance(RunningContainer running) => (InMemoryRuntime.Instance)running.Instance;

    private static V1Container WithPreStop(V1Container container, params string[] command)
    {
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = command } } };
        return container;
    }

    private sealed class FailingDrainer : IPodDrainer
    {
        public Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            Task.FromException(new InvalidOperationException("the proxy is gone"));
    }
}
