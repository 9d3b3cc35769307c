using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Specs;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class ReplicaControllerTests : IAsyncDisposable
{
    /// <summary>A service on a runtime whose containers outlive the gateway.</summary>
    private static readonly ServiceSpec Adoptable = ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 2) is var s ? s with { Backend = s.Pods! with { Runtime = RuntimeKind.Docker } } : null!;

    private readonly TrackingTimeProvider _time = new(T0);
    private readonly RecordingDrainer _drainer = new();
    private readonly InMemoryRuntime _runtime;

    /// <summary>The runtime the pods run on: <see cref="_runtime"/>, with containers that can outlive a gateway.</summary>
    private readonly AdoptingRuntime _adopting;
    private readonly PodRegistry _registry = new();
    private readonly RegistryWatch _watch;
    private readonly PodManager _pods;
    private readonly EventRecorder _events;
    private ReplicaController? _controller;

    public ReplicaControllerTests()
    {
        _runtime = new InMemoryRuntime(_time);
        _events = new EventRecorder(_time, NullLogger<EventRecorder>.Instance);
        _adopting = new AdoptingRuntime(_runtime);
        _watch = new RegistryWatch(_registry);
        var context = new PodWorkerContext(TestRuntimes.Everywhere(_adopting), new ScriptedProber(_time), _registry, _events, _drainer, new PortAllocator(), _time,
            GatewayStartedAt: T0.AddHours(-1), NullLoggerFactory.Instance);
        _pods = new PodManager(context);
    }

    public async ValueTask DisposeAsync()
    {
        if (_controller is not null)
        {
            using var timeout = new CancellationTokenSource(ConditionSignal.SafetyNet);
            await _controller.StopAsync(timeout.Token);
            _controller.Dispose();
        }

        _watch.Dispose();
    }

    [Fact]
    public async Task Start_KeepsTheReplicaCount()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 3));

        await WaitForRunningAsync(3);
        var first = _registry.Pods.Keys.Order().First();
        _pods.Delete(first, "test");
        await _watch.WaitForCurrentAsync(pods => !pods.Any(p => p.Name == first) && pods.Count(p => p.Phase == PodPhase.Running) == 3, "a replacement");

        Assert.Equal(4, _runtime.Instances.Select(i => i.Launch.PodName).Distinct().Count());
        Assert.All(_registry.Pods.Values, p => Assert.StartsWith("web-5d4f8c7b9-", p.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContainerExitsUnderNever_PodFailedKeptAndReplacedByANewPod()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Never", 30, Container("app")), replicas: 2));
        await WaitForRunningAsync(2);
        var victim = _runtime.Instances[0];

        victim.Exit(1);
        var failed = await _watch.WaitForAsync(victim.Launch.PodName, p => p.Phase == PodPhase.Failed, "failed");
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => p.Phase == PodPhase.Running && p.Name != failed.Name) == 2, "a replacement");

        // The failed pod stays listed, with its status, as history.
        Assert.Equal(PodPhase.Failed, _registry.Pods[failed.Name].Phase);
        Assert.Equal(1, failed.Containers[0].Terminated!.ExitCode);
        Assert.Equal(0, failed.Containers[0].RestartCount);
        Assert.Single(_runtime.Instances, i => i.Launch.PodName == failed.Name);
        Assert.Equal(3, _runtime.Instances.Count);
    }

    [Fact]
    public async Task StopAsync_DeletesEveryPodAndWaitsForThem()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 20, Container("app")), replicas: 3));
        await WaitForRunningAsync(3);
        var workers = _pods.Workers.ToList();

        await _controller!.StopAsync(CancellationToken.None);

        Assert.Empty(_registry.Pods);
        Assert.All(workers, w => Assert.True(w.Completion.IsCompletedSuccessfully));
        Assert.Equal(3, _runtime.Stops.Count);
        Assert.All(_runtime.Stops, s => Assert.Equal(TimeSpan.FromSeconds(20), s.GracePeriod));
        Assert.Equal(3, _runtime.Instances.Count);
    }

    [Fact]
    public async Task Start_BarePod_CreatedWithItsOwnName()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Never", 30, Container("app")), podName: "solo"));

        await WaitForRunningAsync(1);

        Assert.Equal(["solo"], _registry.Pods.Keys);
    }

    [Fact]
    public async Task Start_WithAPodLeftRunning_AdoptsItWithItsNameAndRestartCountAndCreatesOnlyTheRest()
    {
        await _adopting.LeaveRunningAsync(Adoptable, "web-old-abcde", restartCount: 2, startedAt: T0.AddMinutes(-5));

        await StartAsync(Adoptable);
        await _watch.WaitForCurrentAsync(pods => pods.Count == 2 && pods.All(p => p.Phase == PodPhase.Running), "two running pods");

        var adopted = _registry.Pods["web-old-abcde"];
        Assert.Equal("uid-web-old-abcde", adopted.Uid);
        Assert.Equal(2, adopted.Containers[0].RestartCount);
        Assert.Equal(T0.AddMinutes(-5), adopted.Containers[0].StartedAt);
        Assert.Equal(2, _runtime.Instances.Count);
    }

    [Fact]
    public async Task Start_RuntimeUnreachable_CreatesNoPodUntilItAnswers()
    {
        _adopting.Unreachable = true;
        await _adopting.LeaveRunningAsync(Adoptable, "web-old-abcde", restartCount: 0, startedAt: T0);

        await StartAsync(Adoptable);

        // The failed call arms a 2 s retry on the (fake) clock; the second call comes only after the
        // loop has reconciled once with the runtime unanswered: that reconcile is what must create nothing.
        await _time.WaitForTimersAsync(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _adopting.WaitForAdoptCallsAsync(2);
        Assert.Empty(_registry.Pods);
        Assert.DoesNotContain(_runtime.Instances, i => i.Launch.PodName != "web-old-abcde");

        // The runtime answers the call after the next retry, 2 s later, and the pods come.
        _adopting.Unreachable = false;
        await _time.WaitForTimersAsync(2);
        _time.Advance(TimeSpan.FromSeconds(2));
        // The new pod is listed before its container starts: wait until both run, then count instances.
        await _watch.WaitForCurrentAsync(pods => pods.Count == 2 && pods.All(p => p.Phase == PodPhase.Running), "two running pods");
        Assert.Contains("web-old-abcde", _registry.Pods.Keys);
        Assert.Equal(2, _runtime.Instances.Count);
    }

    [Fact]
    public async Task Start_MoreReplicasThanMaxPods_ExtraPodsPendingUnscheduledWithAFailedSchedulingEventAndNoContainer()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 5), maxPods: 3);

        await _watch.WaitForCurrentAsync(
            pods => pods.Count == 5 && pods.Count(p => p.Phase == PodPhase.Running) == 3 && pods.Count(p => !p.Scheduled) == 2, "3 running and 2 unscheduled pods");
        await ReconciledAgainAsync();
        var pods = _registry.Pods.Values.ToList();

        var pending = pods.Where(p => !p.Scheduled).ToList();
        Assert.All(pending, p => Assert.Equal(PodPhase.Pending, p.Phase));
        Assert.Equal(3, _runtime.Instances.Count);
        Assert.DoesNotContain(_runtime.Instances, i => pending.Any(p => p.Name == i.Launch.PodName));
        Assert.All(pending, p => Assert.Contains(_events.Snapshot, e =>
            e.PodName == p.Name && e.Type == "Warning" && e.Reason == "FailedScheduling" && e.Message == "0/1 nodes are available: 1 Too many pods."));
        Assert.All(pending, p => Assert.DoesNotContain(_events.Snapshot, e => e.PodName == p.Name && e.Reason == "Scheduled"));
    }

    [Fact]
    public async Task DeletingARunningPod_OverMaxPods_BindsTheOldestPendingPod()
    {
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 4), maxPods: 3);
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => p.Phase == PodPhase.Running) == 3 && pods.Count(p => !p.Scheduled) == 1, "3 running, 1 unscheduled");
        var pods = _registry.Pods.Values.ToList();
        var waiting = pods.Single(p => !p.Scheduled).Name;

        // While the deleted pod drains it still holds its room, so its replacement is made Pending; it
        // is younger than the waiting pod (on a clock that stood still they would tie, and ties go by name).
        _time.Advance(TimeSpan.FromSeconds(1));
        _drainer.Hold();
        _pods.Delete(pods.First(p => p.Scheduled).Name, "test");
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => !p.Scheduled) == 2, "the replacement pending beside the waiting pod");
        _drainer.Release();

        var bound = await _watch.WaitForAsync(waiting, p => p.Phase == PodPhase.Running, "the pending pod running");
        Assert.True(bound.Scheduled);
        Assert.Contains(_events.Snapshot, e => e.PodName == waiting && e.Reason == "Scheduled");
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => p.Phase == PodPhase.Running) == 3 && pods.Count(p => !p.Scheduled) == 1, "a new pending replacement");
    }

    [Fact]
    public async Task ScalingDown_OverMaxPods_DeletesThePendingPodsFirstAndAtOnce()
    {
        var service = ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 5);
        await StartAsync(service, maxPods: 3);
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => p.Phase == PodPhase.Running) == 3 && pods.Count(p => !p.Scheduled) == 2, "3 running, 2 unscheduled");

        _catalog!.Update(_catalog.Current with { Services = [service with { Backend = service.Pods! with { Replicas = 3 } }] });

        await _watch.WaitForCurrentAsync(pods => pods.Count == 3 && pods.All(p => p.Scheduled && p.Phase == PodPhase.Running), "the 3 running pods only");
        Assert.Empty(_runtime.Stops);
    }

    [Fact]
    public async Task RaisingMaxPodsOnReload_BindsThePendingPods()
    {
        var service = ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 5);
        await StartAsync(service, maxPods: 2);
        await _watch.WaitForCurrentAsync(pods => pods.Count(p => p.Phase == PodPhase.Running) == 2 && pods.Count(p => !p.Scheduled) == 3, "2 running, 3 unscheduled");
        var pods = _registry.Pods.Values.ToList();

        _catalog!.Update(_catalog.Current with { MaxPods = 110 });

        await WaitForRunningAsync(5);
        Assert.Equal(5, _runtime.Instances.Count);
        Assert.All(pods.Where(p => !p.Scheduled), p => Assert.Contains(_events.Snapshot, e => e.PodName == p.Name && e.Reason == "Scheduled"));
    }

    [Fact]
    public async Task StopAsync_WhileAStartIsInProgress_CancelsItAndStopsWhatItStarted()
    {
        _runtime.HoldStarts = true;
        await StartAsync(ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 20, Container("app")), replicas: 1));
        await _runtime.WaitForHeldStartsAsync(1);

        await _controller!.StopAsync(CancellationToken.None);

        Assert.Empty(_registry.Pods);
        Assert.True(_runtime.HeldStartsCancelled);
        var late = Assert.Single(_runtime.Instances);
        Assert.Contains(_runtime.Stops, s => s.InstanceId == late.Id);
    }

    private ServiceCatalog? _catalog;

    /// <summary>
    /// Nudges the controller (an unchanged catalog) and waits for a pass, twice: the first pass seen
    /// may have begun before the nudge, the second began after the first nudge. Whatever the
    /// controller would still do about the state the test saw, it has done.
    /// </summary>
    private async Task ReconciledAgainAsync()
    {
        for (var nudge = 0; nudge < 2; nudge++)
        {
            var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnPass(long _) => passed.TrySetResult();
            _controller!.Reconciled += OnPass;
            try
            {
                _catalog!.Update(_catalog.Current);
                await passed.Task.WaitAsync(ConditionSignal.SafetyNet);
            }
            finally
            {
                _controller.Reconciled -= OnPass;
            }
        }
    }

    private async Task StartAsync(ServiceSpec service, int maxPods = GatewaySpec.DefaultMaxPods)
    {
        _catalog = new ServiceCatalog(new GatewaySpec("http://127.0.0.1:0", "http://127.0.0.1:0", [service]) { MaxPods = maxPods });
        _controller = new ReplicaController(_catalog, _pods, _registry, _events, NullLogger<ReplicaController>.Instance);
        await _controller.StartAsync(CancellationToken.None);
    }

    private Task WaitForRunningAsync(int count) =>
        _watch.WaitForCurrentAsync(pods => pods.Count == count && pods.All(p => p.Phase == PodPhase.Running), $"{count} running pods");
}
