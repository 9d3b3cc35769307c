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

/// <summary>A runtime whose containers outlive the gateway: what an earlier gateway left is adopted, never doubled.</summary>
public sealed class ReplicaControllerAdoptionTests : IAsyncDisposable
{
    private readonly TrackingTimeProvider _time = new(T0);
    private readonly InMemoryRuntime _inner;
    private readonly AdoptingRuntime _runtime;
    private readonly PodRegistry _registry = new();
    private readonly RegistryWatch _watch;
    private readonly PodManager _pods;
    private readonly ServiceSpec _service = ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, Container("app")), replicas: 2) with { Runtime = RuntimeKind.Docker };
    private ReplicaController? _controller;

    public ReplicaControllerAdoptionTests()
    {
        _inner = new InMemoryRuntime(_time);
        _runtime = new AdoptingRuntime(_inner);
        _watch = new RegistryWatch(_registry);
        var events = new EventRecorder(_time, NullLogger<EventRecorder>.Instance);
        var context = new PodWorkerContext(new ContainerRuntimes(_runtime), new ScriptedProber(_time), _registry, events, new RecordingDrainer(), new PortAllocator(), _time,
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
    public async Task Start_WithAPodLeftRunning_AdoptsItWithItsNameAndRestartCountAndCreatesOnlyTheRest()
    {
        await _runtime.LeaveRunningAsync(_service, "web-old-abcde", restartCount: 2, startedAt: T0.AddMinutes(-5));

        await StartAsync();
        await _watch.WaitForCurrentAsync(pods => pods.Count == 2 && pods.All(p => p.Phase == PodPhase.Running), "two running pods");

        var adopted = _registry.Pods["web-old-abcde"];
        Assert.Equal("uid-web-old-abcde", adopted.Uid);
        Assert.Equal(2, adopted.Containers[0].RestartCount);
        Assert.Equal(T0.AddMinutes(-5), adopted.Containers[0].StartedAt);
        Assert.Equal(2, _inner.Instances.Count);
    }

    [Fact]
    public async Task Start_RuntimeUnreachable_CreatesNoPodUntilItAnswers()
    {
        _runtime.Unreachable = true;
        await _runtime.LeaveRunningAsync(_service, "web-old-abcde", restartCount: 0, startedAt: T0);

        using var safetyNet = new CancellationTokenSource(ConditionSignal.SafetyNet);
        await StartAsync();
        while (_runtime.AdoptCalls < 1)
        {
            await Task.Delay(5, safetyNet.Token);
        }

        Assert.Empty(_registry.Pods);

        // The retry waits on the (fake) clock: 2 s later the runtime answers and the pods come.
        _runtime.Unreachable = false;
        while (_registry.Pods.Count < 2)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(5, safetyNet.Token);
        }

        Assert.Contains("web-old-abcde", _registry.Pods.Keys);
        await _watch.WaitForCurrentAsync(pods => pods.Count == 2, "two pods");
        Assert.Equal(2, _inner.Instances.Count);
    }

    private async Task StartAsync()
    {
        _controller = new ReplicaController(new GatewaySpec("http://127.0.0.1:0", "http://127.0.0.1:0", [_service]), _pods, _registry, NullLogger<ReplicaController>.Instance);
        await _controller.StartAsync(CancellationToken.None);
    }
}
