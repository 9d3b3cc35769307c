using System.Collections.Immutable;
using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Tests.Fakes;
using Gateway.Tests.Pods;
using Gateway.Tests.TestSupport;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class PodManagerTests : IAsyncDisposable
{
    private readonly PodHarness _harness = new();
    private readonly PodManager _pods;
    private readonly RegistryWatch _watch;

    public PodManagerTests()
    {
        _pods = new PodManager(_harness.Context);
        _watch = new RegistryWatch(_harness.Registry);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DeleteAllAsync(_pods);
        _watch.Dispose();
    }

    [Fact]
    public void Create_NotScheduled_PendingInTheRegistryWithFailedSchedulingAndNoWorker()
    {
        var pod = _pods.Create(ServiceSpecs.Create(PodSpec()), schedule: false);

        Assert.Equal((false, PodPhase.Pending, T0), (pod.Scheduled, pod.Phase, pod.CreatedAt));
        Assert.StartsWith("web-5d4f8c7b9-", pod.Name, StringComparison.Ordinal);
        Assert.Empty(pod.Ports);
        Assert.Same(pod, _harness.Registry.Pods[pod.Name]);
        Assert.Null(_pods.Find(pod.Name));
        Assert.Empty(_harness.Runtime.Instances);
        var failed = Assert.Single(_harness.Events.Snapshot);
        Assert.Equal(("Warning", "FailedScheduling", pod.Name), (failed.Type, failed.Reason, failed.PodName));
    }

    [Fact]
    public async Task Create_Scheduled_BarePodKeepsItsNameGetsItsPortsAndStarts()
    {
        var pod = _pods.Create(ServiceSpecs.Create(PodSpec(), podName: "seed"), schedule: true);
        var instance = Assert.Single(await _harness.Runtime.WaitForInstancesAsync(1));

        Assert.Equal(("seed", true), (pod.Name, pod.Scheduled));
        var port = Assert.Single(pod.Ports["app"]);
        Assert.Equal(("http", 8080), (port.Name, port.ContainerPort));
        Assert.Equal(port, Assert.Single(instance.Launch.Ports));
        Assert.NotNull(_pods.Find("seed"));
    }

    [Fact]
    public async Task Bind_PendingPod_GetsItsPortsAndStartsLikeANewOne()
    {
        var service = ServiceSpecs.Create(PodSpec());
        var pending = _pods.Create(service, schedule: false);

        _pods.Bind(pending.Name, service);
        var instance = Assert.Single(await _harness.Runtime.WaitForInstancesAsync(1));

        var bound = _pods.Find(pending.Name)!.State;
        Assert.Equal((pending.Uid, true), (bound.Uid, bound.Scheduled));
        Assert.Equal(bound.Ports["app"], instance.Launch.Ports);
    }

    [Fact]
    public void Delete_PendingPod_LeavesTheRegistryAtOnce()
    {
        var pending = _pods.Create(ServiceSpecs.Create(PodSpec()), schedule: false);

        _pods.Delete(pending.Name, "scaled down");

        Assert.False(_harness.Registry.Pods.ContainsKey(pending.Name));
    }

    [Fact]
    public async Task Adopt_PodOfAnEarlierGateway_KeepsItsNameUidPortsAndRunningInstance()
    {
        var service = ServiceSpecs.Create(PodSpec());
        var runtime = new AdoptingRuntime(_harness.Runtime);
        await runtime.LeaveRunningAsync(service, "web-5d4f8c7b9-old12", restartCount: 2, startedAt: T0.AddMinutes(-5));
        var ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty.Add("app", [new PortMapping("http", 8080, 31999)]);
        var adopted = (await runtime.AdoptAsync([service], CancellationToken.None))[0] with { Ports = ports };

        var worker = _pods.Adopt(service, adopted);
        var pod = await _watch.WaitForAsync(worker.State.Name, p => p.Containers[0].IsRunning, "the adopted container running");

        Assert.Equal(("web-5d4f8c7b9-old12", "uid-web-5d4f8c7b9-old12"), (pod.Name, pod.Uid));
        Assert.Same(ports, pod.Ports);
        Assert.Equal(("i1", 2, T0.AddMinutes(-5)), (pod.Containers[0].InstanceId, pod.Containers[0].RestartCount, pod.Containers[0].StartedAt));
        Assert.Single(_harness.Runtime.Instances);
    }

    private static V1PodSpec PodSpec()
    {
        var container = Container("app");
        container.Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }];
        return ServiceSpecs.PodSpec("Always", Gateway.Specs.PodSpecDefaults.TerminationGracePeriodSeconds, container);
    }
}
