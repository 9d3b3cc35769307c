using Gateway.Pods;
using Gateway.Probes;
using Gateway.Specs;
using Gateway.Tests.TestSupport;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

/// <summary>
/// The test plays the pod loop: it applies events to the pod and calls <see cref="PodProbeManager.Reconcile"/>
/// after each change, on its own thread; the workers read the pod and post their changes from theirs.
/// </summary>
public sealed class PodProbeManagerTests : IAsyncDisposable
{
    private const string App = "app";

    private readonly PodHarness _harness = new();
    private readonly PodProbeManager _manager;
    private readonly Lock _lock = new();
    private PodState _pod = null!;
    private ContainerInstances _instances = ContainerInstances.Empty;

    public PodProbeManagerTests() => _manager = new PodProbeManager(_harness.Context, ReadPod, _harness.Post);

    public async ValueTask DisposeAsync() => await _manager.StopAllAsync();

    [Theory]
    [InlineData(App, "i1", true, false, true, true, false)]
    [InlineData(App, "i0", true, false, false, false, false)]
    [InlineData(App, "i1", false, false, false, false, false)]
    [InlineData(App, "i1", true, true, true, true, true)]
    [InlineData("other", "i1", true, false, false, false, false)]
    public void Probed_PodAndInstance_WhatTheWorkerSees(string container, string instanceId, bool running, bool deleting, bool current, bool started, bool terminating)
    {
        var pod = Apply(Create("Always", [Container(App)]), new PodEvent.Start(), new PodEvent.ContainerStarted(App, "i1"));
        pod = (running ? pod : Apply(pod, new PodEvent.ContainerExited(App, "i1", 1, "Error", null))) with { DeletionTimestamp = deleting ? T0 : null };

        Assert.Equal(new ProbedInstance(current, started, terminating), PodProbeManager.Probed(pod, container, instanceId));
    }

    [Fact]
    public async Task Reconcile_ContainerRuns_OneWorkerPerProbeProbingItsInstance()
    {
        var (liveness, readiness) = (TimedProbe(period: 10), TimedProbe(period: 10));
        var running = await RunAsync(Container(App, liveness: liveness, readiness: readiness));

        var livenessCalls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        var readinessCalls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);

        Assert.Equal(2, _harness.Time.Timers.Count);
        Assert.Equal((T0, T0), (livenessCalls[0].At, readinessCalls[0].At));
        Assert.Same(running.Target, livenessCalls[0].Target);
        Assert.Same(running.Target, readinessCalls[0].Target);
    }

    [Fact]
    public async Task Reconcile_PodDeleting_LivenessWorkerStopsAndReadinessProbesOn()
    {
        var (liveness, readiness) = (TimedProbe(period: 1), TimedProbe(period: 1));
        await RunAsync(Container(App, liveness: liveness, readiness: readiness));
        await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        var livenessTimer = _harness.Time.Timers[0];

        Change(new PodEvent.Delete("test"));
        await _harness.Time.WaitForDisposedAsync(livenessTimer);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        var readinessCalls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 2);

        Assert.Equal(T0.AddSeconds(1), readinessCalls[1].At);
        Assert.Single(_harness.Prober.Calls(App, ProbeKind.Liveness));
        Assert.False(_harness.Time.Timers[1].IsDisposed);
    }

    [Fact]
    public async Task Reconcile_NewInstance_WorkerOfTheOldOneReplaced()
    {
        var readiness = TimedProbe(period: 10);
        await RunAsync(Container(App, readiness: readiness));
        await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        var firstTimer = _harness.Time.Timers[0];

        Change(new PodEvent.ContainerExited(App, "i1", 1, "Error", null));
        await _harness.Time.WaitForDisposedAsync(firstTimer);
        var second = await StartAsync(App);
        var calls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 2);

        Assert.Equal("i2", second.Instance.Id);
        Assert.Same(second.Target, calls[1].Target);
        Assert.Equal(2, _harness.Time.Timers.Count);
    }

    [Fact]
    public async Task Reconcile_StartupSucceeds_ReadinessRunsAtOnce()
    {
        var (startup, readiness) = (TimedProbe(period: 5), TimedProbe(period: 30));
        _harness.Prober.Then(App, ProbeKind.Startup, ProbeOutcome.Failure("starting"));
        await RunAsync(Container(App, readiness: readiness, startup: startup));
        await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Startup, 1);

        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        Change((await _harness.WaitForPostedAsync<PodEvent.ProbeChanged>())[0]);
        var readinessCalls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);

        Assert.True(ReadPod().Containers[0].Started);
        Assert.Equal(T0.AddSeconds(5), readinessCalls[0].At);
    }

    [Fact]
    public async Task RecheckReadiness_ReadyContainer_DropsToFailureAndProbesAgainAtOnce()
    {
        var readiness = TimedProbe(period: 10);
        await RunAsync(Container(App, readiness: readiness));
        Change((await _harness.WaitForPostedAsync<PodEvent.ProbeChanged>())[0]);

        _manager.RecheckReadiness();
        var calls = await _harness.Prober.WaitForCallsAsync(App, ProbeKind.Readiness, 2);
        var changes = await _harness.WaitForPostedAsync<PodEvent.ProbeChanged>(3);

        Assert.Equal((T0, T0), (calls[0].At, calls[1].At));
        Assert.Equal([ProbeResult.Success, ProbeResult.Failure, ProbeResult.Success], changes.Select(c => c.Result));
    }

    [Fact]
    public async Task StopAllAsync_PodGone_EveryWorkerStops()
    {
        var (startup, liveness, readiness) = (TimedProbe(period: 1), TimedProbe(period: 1), TimedProbe(period: 1));
        await RunAsync(Container(App, liveness: liveness, readiness: readiness, startup: startup));

        await _manager.StopAllAsync();

        Assert.Equal(3, _harness.Time.Timers.Count);
        Assert.All(_harness.Time.Timers, t => Assert.True(t.IsDisposed));
    }

    private static PodState Apply(PodState pod, params PodEvent[] events) =>
        events.Aggregate(pod, (p, e) => PodLifecycle.Apply(p, e, T0).State);

    /// <summary>Makes a pod of <paramref name="container"/> and runs its first instance, i1.</summary>
    private async Task<RunningContainer> RunAsync(V1Container container)
    {
        var pod = PodHarness.Pod(container);
        _harness.Prober.Track(pod.Spec);
        lock (_lock)
        {
            _pod = Apply(pod, new PodEvent.Start());
        }

        return await StartAsync(container.Name);
    }

    private async Task<RunningContainer> StartAsync(string container)
    {
        var running = await _harness.StartAsync(ReadPod(), container);
        _instances = _instances.With(running, out _);
        Change(new PodEvent.ContainerStarted(container, running.Instance.Id));
        return running;
    }

    /// <summary>One turn of the pod loop: apply, then reconcile.</summary>
    private void Change(PodEvent evt)
    {
        PodState before, after;
        lock (_lock)
        {
            before = _pod;
            _pod = after = PodLifecycle.Apply(before, evt, _harness.Time.GetUtcNow()).State;
        }

        _manager.Reconcile(before, after, _instances);
    }

    private PodState ReadPod()
    {
        lock (_lock)
        {
            return _pod;
        }
    }
}
