using Gateway.Specs;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Probes;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Probes;

public sealed class ProbeWorkerTests : IAsyncDisposable
{
    private const string App = "app";

    private readonly TrackingTimeProvider _time = new(T0);
    private readonly ScriptedProber _prober;
    private readonly EventRecorder _events;
    private readonly ConditionSignal _changed = new();
    private readonly Lock _lock = new();
    private readonly List<(PodEvent.ProbeChanged Event, DateTimeOffset At)> _posted = [];
    private readonly List<ProbeWorker> _workers = [];
    private PodState _pod = null!;
    private int _podReads;

    public ProbeWorkerTests()
    {
        _prober = new ScriptedProber(_time);
        _events = new EventRecorder(_time, NullLogger<EventRecorder>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Start_NoDelay_FirstTickAtOnceThenEveryPeriod()
    {
        var probe = TimedProbe(period: 10);
        Setup(Container(App, readiness: probe));

        StartWorker(ProbeKind.Readiness, probe);
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        _time.Advance(TimeSpan.FromSeconds(9));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 2);
        _time.Advance(TimeSpan.FromSeconds(10));
        var calls = await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 3);

        Assert.Equal([T0, T0.AddSeconds(10), T0.AddSeconds(20)], calls.Select(c => c.At));
    }

    [Fact]
    public async Task Start_WithFirstTickDelay_FirstTickAfterTheDelay()
    {
        var probe = TimedProbe(period: 10);
        Setup(Container(App, liveness: probe));

        StartWorker(ProbeKind.Liveness, probe, TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(3));
        await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        var calls = await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 2);

        Assert.Equal([T0.AddSeconds(3), T0.AddSeconds(13)], calls.Select(c => c.At));
    }

    [Fact]
    public async Task Tick_DuringInitialDelay_IsSkipped()
    {
        var probe = TimedProbe(period: 1, initialDelay: 3);
        Setup(Container(App, liveness: probe));

        StartWorker(ProbeKind.Liveness, probe);
        for (var second = 1; second <= 3; second++)
        {
            await WaitForPodReadsAsync(second);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var calls = await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);

        Assert.Equal(T0.AddSeconds(3), calls[0].At);
    }

    [Fact]
    public async Task Tick_BeforeStartupSucceeded_LivenessAndReadinessDoNotRun()
    {
        var startup = TimedProbe(period: 5, failureThreshold: 3);
        var liveness = TimedProbe(period: 10);
        var readiness = TimedProbe(period: 10);
        Setup(Container(App, liveness: liveness, readiness: readiness, startup: startup));
        _prober.Then(App, ProbeKind.Startup, ProbeOutcome.Failure("not yet")).Always(App, ProbeKind.Startup, ProbeOutcome.Success());

        StartWorker(ProbeKind.Startup, startup);
        StartWorker(ProbeKind.Liveness, liveness);
        StartWorker(ProbeKind.Readiness, readiness);
        await _prober.WaitForCallsAsync(App, ProbeKind.Startup, 1);
        await WaitForPodReadsAsync(3);
        _time.Advance(TimeSpan.FromSeconds(5));
        await WaitForPostsAsync(1);
        Assert.True(_pod.Containers[0].Started);
        _time.Advance(TimeSpan.FromSeconds(5));
        var livenessCalls = await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        var readinessCalls = await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);

        Assert.Equal(T0.AddSeconds(10), livenessCalls[0].At);
        Assert.Equal(T0.AddSeconds(10), readinessCalls[0].At);
        Assert.Equal(new PodEvent.ProbeChanged(App, "i1", ProbeKind.Startup, ProbeResult.Success), Posted()[0].Event);
    }

    [Theory]
    [InlineData("S", ProbeResult.Success, 0)]
    [InlineData("FF", ProbeResult.Failure, 1)]
    [InlineData("FS", ProbeResult.Success, 1)]
    public async Task Tick_StartupReachedItsThreshold_StopsProbing(string runs, ProbeResult expected, int changedAtSecond)
    {
        var startup = TimedProbe(period: 1, failureThreshold: 2);
        Setup(Container(App, startup: startup));
        _prober.Then(App, ProbeKind.Startup, [.. runs.Select(r => r == 'S' ? ProbeOutcome.Success() : ProbeOutcome.Failure("no"))]);

        var timer = StartWorker(ProbeKind.Startup, startup);
        for (var second = 1; second < runs.Length; second++)
        {
            await _prober.WaitForCallsAsync(App, ProbeKind.Startup, second);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await _time.WaitForDisposedAsync(timer);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(runs.Length, _prober.Calls(App, ProbeKind.Startup).Count);
        var posted = Assert.Single(Posted());
        Assert.Equal(new PodEvent.ProbeChanged(App, "i1", ProbeKind.Startup, expected), posted.Event);
        Assert.Equal(T0.AddSeconds(changedAtSecond), posted.At);
    }

    [Fact]
    public async Task Tick_LivenessFailed_WorkerOnHold()
    {
        var liveness = TimedProbe(period: 1, failureThreshold: 1);
        Setup(Container(App, liveness: liveness));
        _prober.Then(App, ProbeKind.Liveness, ProbeOutcome.Failure("boom"));

        var timer = StartWorker(ProbeKind.Liveness, liveness);
        await _time.WaitForDisposedAsync(timer);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Single(_prober.Calls(App, ProbeKind.Liveness));
        Assert.Equal(new PodEvent.ProbeChanged(App, "i1", ProbeKind.Liveness, ProbeResult.Failure), Assert.Single(Posted()).Event);
    }

    [Fact]
    public async Task Tick_PodDeleting_ReadinessKeepsProbingAndLivenessStops()
    {
        var liveness = TimedProbe(period: 1);
        var readiness = TimedProbe(period: 1);
        Setup(Container(App, liveness: liveness, readiness: readiness));

        var livenessTimer = StartWorker(ProbeKind.Liveness, liveness);
        StartWorker(ProbeKind.Readiness, readiness);
        await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        Apply(new PodEvent.Delete("test"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _time.WaitForDisposedAsync(livenessTimer);
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 2);
        _time.Advance(TimeSpan.FromSeconds(1));
        var readinessCalls = await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 3);

        Assert.Single(_prober.Calls(App, ProbeKind.Liveness));
        Assert.Equal(T0.AddSeconds(2), readinessCalls[2].At);
    }

    [Fact]
    public async Task Tick_InstanceGone_WorkerEnds()
    {
        var readiness = TimedProbe(period: 1);
        Setup(Container(App, readiness: readiness));

        var timer = StartWorker(ProbeKind.Readiness, readiness);
        await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, 1);
        Apply(new PodEvent.ContainerExited(App, "i1", 1, "Error", null));
        Apply(new PodEvent.ContainerStarted(App, "i2"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _time.WaitForDisposedAsync(timer);

        Assert.Single(_prober.Calls(App, ProbeKind.Readiness));
    }

    [Fact]
    public async Task Tick_ProbeErrored_NotCountedAndRecordedAsUnhealthy()
    {
        var liveness = TimedProbe(period: 1, failureThreshold: 1);
        Setup(Container(App, liveness: liveness));
        _prober.Then(App, ProbeKind.Liveness, ProbeOutcome.Error("strconv.Atoi: parsing \"http\": invalid syntax"), ProbeOutcome.Failure("boom"));

        StartWorker(ProbeKind.Liveness, liveness);
        await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForPostsAsync(1);

        Assert.Equal(T0.AddSeconds(1), Assert.Single(Posted()).At);
        var errored = Assert.Single(_events.Snapshot, e => e.Message.Contains("errored", StringComparison.Ordinal));
        Assert.Equal(("Warning", "Unhealthy", "Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing \"http\": invalid syntax", "spec.containers{app}"), (errored.Type, errored.Reason, errored.Message, errored.FieldPath));
        Assert.Equal(T0, errored.FirstTimestamp);
    }

    [Fact]
    public async Task Tick_ProbeFailed_RecordsUnhealthyWithTheOutput()
    {
        var liveness = TimedProbe(period: 1, failureThreshold: 3);
        Setup(Container(App, liveness: liveness));
        _prober.Always(App, ProbeKind.Liveness, ProbeOutcome.Failure("HTTP probe failed with statuscode: 500\n"));

        StartWorker(ProbeKind.Liveness, liveness);
        for (var second = 1; second <= 2; second++)
        {
            await _prober.WaitForCallsAsync(App, ProbeKind.Liveness, second);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await WaitForPostsAsync(1);

        var unhealthy = Assert.Single(_events.Snapshot, e => e.Reason == "Unhealthy");
        Assert.Equal(("Warning", "Liveness probe failed: HTTP probe failed with statuscode: 500", 3), (unhealthy.Type, unhealthy.Message, unhealthy.Count));
        Assert.Equal((T0, T0.AddSeconds(2)), (unhealthy.FirstTimestamp, unhealthy.LastTimestamp));
        Assert.Equal(new PodEvent.ProbeChanged(App, "i1", ProbeKind.Liveness, ProbeResult.Failure), Assert.Single(Posted()).Event);
    }

    [Fact]
    public async Task Tick_ProbeWarned_RecordsProbeWarningAndCountsTheResult()
    {
        var readiness = TimedProbe(period: 1);
        Setup(Container(App, readiness: readiness));
        _prober.Always(App, ProbeKind.Readiness, ProbeOutcome.Success(warning: "Probe terminated redirects, Response body: "));

        StartWorker(ProbeKind.Readiness, readiness);
        await WaitForPostsAsync(1);

        var warning = Assert.Single(_events.Snapshot);
        Assert.Equal(("Warning", "ProbeWarning", "Readiness probe warning: Probe terminated redirects, Response body: "), (warning.Type, warning.Reason, warning.Message));
        Assert.Equal(new PodEvent.ProbeChanged(App, "i1", ProbeKind.Readiness, ProbeResult.Success), Assert.Single(Posted()).Event);
    }

    [Fact]
    public async Task Tick_ResultUnchanged_PostsNothing()
    {
        var readiness = TimedProbe(period: 1);
        Setup(Container(App, readiness: readiness));

        StartWorker(ProbeKind.Readiness, readiness);
        for (var second = 1; second <= 3; second++)
        {
            await _prober.WaitForCallsAsync(App, ProbeKind.Readiness, second);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // The fourth tick has begun, so the third has finished.
        await WaitForPodReadsAsync(4);

        Assert.Single(Posted());
        Assert.Empty(_events.Snapshot);
    }

    /// <summary>A pod whose one container runs as instance i1 since T0, with the starting probe values.</summary>
    private void Setup(V1Container container)
    {
        _pod = Create("Always", [container]);
        _prober.Track(_pod.Spec);
        Apply(new PodEvent.Start());
        Apply(new PodEvent.ContainerStarted(container.Name, "i1"));
    }

    /// <summary>Changes the pod as the pod worker would; posts of the probe workers come here too.</summary>
    private void Apply(PodEvent evt)
    {
        lock (_lock)
        {
            _pod = PodLifecycle.Apply(_pod, evt, _time.GetUtcNow()).State;
        }
    }

    private TrackingTimeProvider.TrackedTimer StartWorker(ProbeKind kind, V1Probe probe, TimeSpan firstTickDelay = default)
    {
        var status = _pod.Containers[0];
        var (name, instanceId) = (status.Name, status.InstanceId!);
        var worker = new ProbeWorker(kind, probe, new ProbeSubject(_pod.Namespace, _pod.Name, _pod.Uid, _pod.ServiceName, name), instanceId, status.StartedAt!.Value,
            ProbeTargets.Target(), _prober, _time, () => PodProbeManager.Probed(ReadPod(), name, instanceId),
            result => Post(new PodEvent.ProbeChanged(name, instanceId, kind, result)), _events);
        _workers.Add(worker);
        worker.Start(firstTickDelay);
        return _time.Timers[^1];
    }

    private PodState ReadPod()
    {
        PodState pod;
        lock (_lock)
        {
            pod = _pod;
            _podReads++;
        }

        _changed.Notify();
        return pod;
    }

    private void Post(PodEvent evt)
    {
        var changed = Assert.IsType<PodEvent.ProbeChanged>(evt);
        lock (_lock)
        {
            _posted.Add((changed, _time.GetUtcNow()));
        }

        Apply(evt);
        _changed.Notify();
    }

    private List<(PodEvent.ProbeChanged Event, DateTimeOffset At)> Posted()
    {
        lock (_lock)
        {
            return [.. _posted];
        }
    }

    private Task WaitForPodReadsAsync(int count) => _changed.WaitAsync(() => Volatile.Read(ref _podReads) >= count, $"{count} ticks");

    private Task WaitForPostsAsync(int count) => _changed.WaitAsync(() => Posted().Count >= count, $"{count} posted change(s)");
}
