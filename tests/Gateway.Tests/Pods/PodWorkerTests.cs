using Gateway.Specs;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Probes;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class PodWorkerTests : IAsyncDisposable
{
    private const string App = "app";

    private readonly PodHarness _harness = new();
    private readonly TrackingTimeProvider _time;
    private readonly InMemoryRuntime _runtime;
    private readonly ScriptedProber _prober;
    private readonly PodRegistry _registry;
    private readonly RegistryWatch _watch;
    private readonly RecordingDrainer _drainer;
    private readonly EventRecorder _events;
    private readonly PodManager _pods;

    public PodWorkerTests()
    {
        (_time, _runtime, _prober, _registry, _drainer, _events) = (_harness.Time, _harness.Runtime, _harness.Prober, _harness.Registry, _harness.Drainer, _harness.Events);
        _watch = new RegistryWatch(_registry);
        _pods = new PodManager(_harness.Context);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DeleteAllAsync(_pods);
        _watch.Dispose();
    }

    [Fact]
    public async Task LivenessFails_KilledWithTheProbeGraceAndRestartedWithFreshProbeValues()
    {
        var liveness = TimedProbe(period: 10, failureThreshold: 1, terminationGracePeriodSeconds: 5);
        var readiness = TimedProbe(period: 10);
        var pod = StartPod(PodSpec(Container(App, liveness: liveness, readiness: readiness)));
        _prober.Then(App, ProbeKind.Liveness, ProbeOutcome.Failure("boom"));

        var stop = Assert.Single(await _runtime.WaitForStopsAsync(1));
        var restarted = await _watch.WaitForAsync(pod.State.Name, p => p.Containers[0] is { RestartCount: 1, IsRunning: true }, "restarted");
        var readyAgain = await _watch.WaitForAsync(pod.State.Name, p => p.Ready && p.Containers[0].RestartCount == 1, "ready after the restart");

        Assert.Equal((App, "i1", TimeSpan.FromSeconds(5)), (stop.Container, stop.InstanceId, stop.GracePeriod));
        var container = restarted.Containers[0];
        Assert.Equal("i2", container.InstanceId);
        Assert.Equal((ProbeResult.Unknown, ProbeResult.Success, ProbeResult.Failure), (container.Startup, container.Liveness, container.Readiness));
        Assert.False(restarted.Ready);
        Assert.Equal((137, "Error", "i1"), (container.LastTermination!.ExitCode, container.LastTermination.Reason, container.LastTermination.InstanceId));
        Assert.Equal(PodPhase.Running, readyAgain.Phase);
        Assert.Equal(1, Assert.Single(_runtime.InstancesOf(pod.State.Name, App), i => i.Id == "i2").Launch.RestartCount);
        Assert.Contains(_events.Snapshot, e => e.Reason == "Killing" && e.Message == "Container app failed liveness probe, will be restarted");
        Assert.Equal("log of i1\n", pod.ReadLog(App, previous: true)?.ToString());
        Assert.Equal("log of i2\n", pod.ReadLog(App, previous: false)?.ToString());
    }

    [Fact]
    public async Task ContainerExitsTwice_SecondRestartWaitsTenSecondsInCrashLoopBackOff()
    {
        var pod = StartPod(PodSpec(Container(App)));
        var name = pod.State.Name;

        (await _runtime.WaitForInstancesAsync(1))[0].Exit(1);
        (await _runtime.WaitForInstancesAsync(2))[1].Exit(1);
        var waiting = await _watch.WaitForAsync(name, p => p.Containers[0].WaitingReason == "CrashLoopBackOff", "back-off");
        // The state says CrashLoopBackOff before the worker has armed its back-off timer: advance only once it has.
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(9));
        var countAtNineSeconds = _runtime.Instances.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = (await _runtime.WaitForInstancesAsync(3))[2];
        var running = await _watch.WaitForAsync(name, p => p.Containers[0] is { RestartCount: 2, IsRunning: true }, "second restart");

        Assert.Equal(T0, _runtime.Instances[1].StartedAt);
        Assert.Equal(2, countAtNineSeconds);
        Assert.Equal(T0.AddSeconds(10), third.StartedAt);
        var backingOff = waiting.Containers[0];
        Assert.Equal((ContainerRunState.Waiting, 1, PodPhase.Running), (backingOff.State, backingOff.RestartCount, waiting.Phase));
        Assert.StartsWith("back-off 10s restarting failed container=app pod=", backingOff.WaitingMessage, StringComparison.Ordinal);
        Assert.Equal("i3", running.Containers[0].InstanceId);
    }

    [Fact]
    public async Task StartupSucceeds_ReadinessRunsAtOnce()
    {
        var startup = TimedProbe(period: 5, failureThreshold: 3);
        var readiness = TimedProbe(period: 30);
        var pod = StartPod(PodSpec(Container(App, readiness: readiness, startup: startup)));
        _prober.Then(App, ProbeKind.Startup, ProbeOutcome.Failure("starting"));

        await _prober.WaitForCallsAsync(App, ProbeKind.Startup, 1);
        _time.Advance(TimeSpan.FromSeconds(5));
        var readinessCalls = await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        var ready = await _watch.WaitForAsync(pod.State.Name, p => p.Ready, "ready");

        Assert.Equal(T0.AddSeconds(5), readinessCalls[0].At);
        Assert.Equal(ProbeResult.Success, ready.Containers[0].Startup);
    }

    [Fact]
    public async Task LivenessFails_OutOfRotationThenDrainedWithPreStopThenStopped()
    {
        var liveness = TimedProbe(period: 10, failureThreshold: 1, terminationGracePeriodSeconds: 20);
        var container = Container(App, liveness: liveness);
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["flush", "$(POD_NAME)"] } } };
        var pod = StartPod(PodSpec(container));
        var name = pod.State.Name;
        await _watch.WaitForAsync(name, p => p.Ready, "ready");
        _drainer.Hold();

        _prober.Then(App, ProbeKind.Liveness, ProbeOutcome.Failure("boom"));
        _time.Advance(TimeSpan.FromSeconds(10));
        var drain = await _drainer.WaitForDrainAsync(name);
        var stopsWhileDraining = _runtime.Stops.Count;
        _drainer.Release();
        var stop = Assert.Single(await _runtime.WaitForStopsAsync(1));

        // The drain may use the grace period but its last 2 s; preStop runs beside it (ContainerStopperTests).
        Assert.False(drain.Pod.Ready);
        Assert.Equal(T0.AddSeconds(28), drain.Deadline);
        Assert.Equal(0, stopsWhileDraining);
        var preStop = Assert.Single(_runtime.Instances[0].Execs);
        Assert.Equal(["flush", name], preStop.Command);
        Assert.Equal(TimeSpan.FromSeconds(20), stop.GracePeriod);
    }

    [Fact]
    public async Task Delete_DrainsThenStopsWithThePodGraceAndLeavesTheRegistry()
    {
        var pod = StartPod(PodSpec(Container(App), grace: 45));
        var name = pod.State.Name;
        await _watch.WaitForAsync(name, p => p.Ready, "ready");
        _drainer.Hold();

        _pods.Delete(name, "test");
        var drain = await _drainer.WaitForDrainAsync(name);
        var stopsWhileDraining = _runtime.Stops.Count;
        _drainer.Release();
        await pod.Completion.WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(0, stopsWhileDraining);
        Assert.True(drain.Pod.IsDeleting);
        Assert.Equal(T0.AddSeconds(43), drain.Deadline);
        var stop = Assert.Single(_runtime.Stops);
        Assert.Equal(("i1", TimeSpan.FromSeconds(45)), (stop.InstanceId, stop.GracePeriod));
        Assert.False(_registry.Pods.ContainsKey(name));
        Assert.True(_runtime.Instances[0].IsDisposed);
        Assert.Contains(_events.Snapshot, e => e.Reason == "Killing" && e.Message == "Stopping container app");
    }

    [Fact]
    public async Task Delete_DrainTakesTime_StopGetsWhatIsLeftOfTheGrace()
    {
        var pod = StartPod(PodSpec(Container(App), grace: 30));
        await _runtime.WaitForInstancesAsync(1);
        _drainer.Hold();

        _pods.Delete(pod.State.Name, "test");
        await _drainer.WaitForDrainAsync(pod.State.Name);
        _time.Advance(TimeSpan.FromSeconds(12));
        _drainer.Release();
        await pod.Completion.WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(TimeSpan.FromSeconds(18), Assert.Single(_runtime.Stops).GracePeriod);
    }

    [Fact]
    public async Task Delete_WhileDraining_ReadinessKeepsProbingAndLivenessStops()
    {
        var liveness = TimedProbe(period: 1);
        var readiness = TimedProbe(period: 1);
        var pod = StartPod(PodSpec(Container(App, liveness: liveness, readiness: readiness)));
        var name = pod.State.Name;
        await _watch.WaitForAsync(name, p => p.Ready, "ready");
        await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        _drainer.Hold();

        _pods.Delete(name, "test");
        await _drainer.WaitForDrainAsync(name);
        var livenessCalls = _prober.Calls(App, ProbeKind.Liveness).Count;
        var readinessCalls = _prober.Calls(App, ProbeKind.Readiness).Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, readinessCalls + 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        var calls = await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, readinessCalls + 2);

        Assert.Equal(T0.AddSeconds(2), calls[^1].At);
        Assert.Equal(livenessCalls, _prober.Calls(App, ProbeKind.Liveness).Count);
        Assert.Empty(_runtime.Stops);
    }

    private PodWorker StartPod(V1PodSpec spec)
    {
        _prober.Track(spec);
        return _pods.Find(_pods.Create(ServiceSpecs.Create(spec), schedule: true).Name)!;
    }

    private static V1PodSpec PodSpec(V1Container container, long grace = PodSpecDefaults.TerminationGracePeriodSeconds) => ServiceSpecs.PodSpec("Always", grace, container);
}
