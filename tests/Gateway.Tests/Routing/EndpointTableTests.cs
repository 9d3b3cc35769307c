using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Runtimes;
using static Gateway.Tests.Pods.PodStates;
using static Gateway.Tests.Routing.Endpoints;

namespace Gateway.Tests.Routing;

public sealed class EndpointTableTests
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = new();
    private readonly EndpointTable _table;

    private readonly List<string> _changes = [];

    public EndpointTableTests()
    {
        _table = new EndpointTable(_time);
        _table.DestinationsChanged += s => _changes.Add($"destinations {s}");
        _table.ConditionsChanged += s => _changes.Add($"conditions {s}");
    }

    [Fact]
    public void FromPod_RunningContainer_OneEndpointPerInstance()
    {
        var endpoint = EndpointTable.FromPod(Running(Pod("web-1", hostPort: 31001), "i7"));

        Assert.Equal(new Endpoint("web", "web-1", "web-1/i7", "http://127.0.0.1:31001", Serving: true, Terminating: false), endpoint);
    }

    [Fact]
    public void FromPod_ContainerNotRunning_NoEndpoint() => Assert.Null(EndpointTable.FromPod(Pod("web-1")));

    [Fact]
    public void FromPod_NoDeclaredPort_NoEndpoint()
    {
        var pod = Running(Pod("web-1")) with { Ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty };

        Assert.Null(EndpointTable.FromPod(pod));
    }

    [Fact]
    public void FromPod_PortOnTheSecondContainer_UsesThatContainersInstance()
    {
        var pod = Create("Always", [Container("sidecar"), Container("app")]) with
        {
            Name = "web-1",
            Ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty
                .Add("sidecar", [])
                .Add("app", [new PortMapping(null, 8080, 31005), new PortMapping("admin", 9090, 31006)]),
        };
        var running = pod with { Containers = [.. pod.Containers.Select((c, i) => c with { State = ContainerRunState.Running, InstanceId = $"i{i + 1}" })] };

        var endpoint = EndpointTable.FromPod(running);

        Assert.Equal(("web-1/i2", "http://127.0.0.1:31005"), (endpoint?.DestinationId, endpoint?.Address));
    }

    // Container "sidecar" declares web 8080 (host 31004); container "app" declares 8080 (31005) and admin 9090 (31006).
    [Theory]
    [InlineData(null, 0, "web-1/i1", "http://127.0.0.1:31004")] // no Service targetPort: the first declared port
    [InlineData("app", 9090, "web-1/i2", "http://127.0.0.1:31006")]
    [InlineData("app", 8080, "web-1/i2", "http://127.0.0.1:31005")]
    [InlineData("sidecar", 8080, "web-1/i1", "http://127.0.0.1:31004")]
    [InlineData("app", 7070, null, null)] // a port the container does not map: no endpoint rather than a wrong one
    public void FromPod_RouteTarget_RoutesToThatContainersPort(string? container, int containerPort, string? destination, string? address)
    {
        var pod = Create("Always", [Container("sidecar"), Container("app")]) with
        {
            Name = "web-1",
            Ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty
                .Add("sidecar", [new PortMapping("web", 8080, 31004)])
                .Add("app", [new PortMapping(null, 8080, 31005), new PortMapping("admin", 9090, 31006)]),
            RouteTarget = container is null ? null : new Gateway.Specs.RouteTarget(container, containerPort),
        };
        var running = pod with { Containers = [.. pod.Containers.Select((c, i) => c with { State = ContainerRunState.Running, InstanceId = $"i{i + 1}" })] };

        var endpoint = EndpointTable.FromPod(running);

        Assert.Equal((destination, address), (endpoint?.DestinationId, endpoint?.Address));
    }

    [Fact]
    public void FromPod_TargetedContainerNotRunning_NoEndpointThoughAnotherRuns()
    {
        var pod = Create("Always", [Container("sidecar"), Container("app")]) with
        {
            Name = "web-1",
            Ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty
                .Add("sidecar", [new PortMapping("web", 8080, 31004)])
                .Add("app", [new PortMapping("admin", 9090, 31006)]),
            RouteTarget = new Gateway.Specs.RouteTarget("app", 9090),
        };
        var sidecarRunning = pod with { Containers = [pod.Containers[0] with { State = ContainerRunState.Running, InstanceId = "i1" }, pod.Containers[1]] };

        Assert.Null(EndpointTable.FromPod(sidecarRunning));
    }

    [Theory]
    [InlineData(true, false, true, false, true)]
    [InlineData(true, true, true, true, false)]
    [InlineData(false, false, false, false, false)]
    [InlineData(false, true, false, true, false)]
    public void FromPod_ReadyAndDeleting_ServingTerminatingReady(bool podReady, bool deleting, bool serving, bool terminating, bool ready)
    {
        var endpoint = EndpointTable.FromPod(Running(Pod("web-1"), ready: podReady, deleting: deleting))!;

        Assert.Equal((serving, terminating, ready), (endpoint.Serving, endpoint.Terminating, endpoint.Ready));
    }

    [Fact]
    public void OnPodChanged_PodGetsAnAddress_DestinationsChanged()
    {
        _table.OnPodChanged(null, Pod("web-1"));
        _table.OnPodChanged(Pod("web-1"), Running(Pod("web-1"), ready: false));

        Assert.Equal(["destinations web"], _changes);
        Assert.Equal(["web-1/i1"], _table.Current.Keys);
        Assert.False(_table.ForPod("web-1")!.Serving);
    }

    [Fact]
    public void OnPodChanged_OnlyConditionsChange_ConditionsChanged()
    {
        var notReady = Running(Pod("web-1"), ready: false);
        var ready = Running(Pod("web-1"), ready: true);
        var terminating = Running(Pod("web-1"), ready: true, deleting: true);

        _table.OnPodChanged(null, notReady);
        _table.OnPodChanged(notReady, ready);
        _table.OnPodChanged(ready, terminating);

        Assert.Equal(["destinations web", "conditions web", "conditions web"], _changes);
        Assert.Equal((true, true), (_table.Current["web-1/i1"].Serving, _table.Current["web-1/i1"].Terminating));
    }

    [Fact]
    public void OnPodChanged_NothingRoutingSeesChanged_NoEvent()
    {
        var pod = Running(Pod("web-1"));

        _table.OnPodChanged(null, pod);
        _table.OnPodChanged(pod, pod with { StartTime = T0 });
        _table.OnPodChanged(null, Pod("web-2"));
        _table.OnPodChanged(Pod("web-2"), Pod("web-2") with { StartTime = T0 });

        Assert.Equal(["destinations web"], _changes);
    }

    [Fact]
    public void OnPodChanged_ContainerRestarted_FreshDestinationId()
    {
        var first = Running(Pod("web-1"), "i1");
        var between = Pod("web-1");
        var second = Running(Pod("web-1"), "i2", ready: false);

        _table.OnPodChanged(null, first);
        _table.OnPodChanged(first, between);
        Assert.Empty(_table.Current);
        _table.OnPodChanged(between, second);

        Assert.Equal(["destinations web", "destinations web", "destinations web"], _changes);
        Assert.Equal(["web-1/i2"], _table.Current.Keys);
        Assert.Equal("web-1/i2", _table.ForPod("web-1")!.DestinationId);
    }

    [Fact]
    public void OnPodChanged_InstanceReplacedWithoutAGap_OldDestinationGone()
    {
        _table.OnPodChanged(null, Running(Pod("web-1"), "i1"));
        _table.OnPodChanged(Running(Pod("web-1"), "i1"), Running(Pod("web-1"), "i2"));

        Assert.Equal(["web-1/i2"], _table.Current.Keys);
        Assert.Equal(["destinations web", "destinations web"], _changes);
    }

    [Fact]
    public void OnPodChanged_PodRemoved_DestinationsChanged()
    {
        var pod = Running(Pod("web-1"));
        _table.OnPodChanged(null, pod);
        _table.OnPodChanged(null, Running(Pod("web-2", hostPort: 31002)));

        _table.OnPodChanged(pod, null);

        Assert.Equal(["web-2/i1"], _table.Current.Keys);
        Assert.Null(_table.ForPod("web-1"));
        Assert.Equal(["web-2"], _table.ForService("web").Select(e => e.PodName));
        Assert.Equal("destinations web", _changes[^1]);
    }

    private static Endpoint External(string id, bool serving = true, bool terminating = false) =>
        new("shop", $"pod-{id}", $"shop/{id}", $"http://10.0.0.{id}:8080", serving, terminating);

    [Fact]
    public void SetServiceEndpoints_NewAndGone_DestinationsChanged()
    {
        _table.SetServiceEndpoints("shop", [External("1"), External("2")]);
        _table.SetServiceEndpoints("shop", [External("2")]);

        Assert.Equal(["destinations shop", "destinations shop"], _changes);
        Assert.Equal(["shop/2"], _table.ForService("shop").Select(e => e.DestinationId));
    }

    [Fact]
    public void SetServiceEndpoints_OnlyConditions_ConditionsChanged()
    {
        _table.SetServiceEndpoints("shop", [External("1")]);
        _table.SetServiceEndpoints("shop", [External("1", serving: true, terminating: true)]);
        _table.SetServiceEndpoints("shop", [External("1", serving: true, terminating: true)]);

        Assert.Equal(["destinations shop", "conditions shop"], _changes);
        Assert.True(_table.Current["shop/1"].Terminating);
    }

    [Fact]
    public void SetServiceEndpoints_UnchangedEndpoint_KeepsItsEjection()
    {
        _table.SetServiceEndpoints("shop", [External("1")]);
        _table.Eject("shop/1");
        _table.SetServiceEndpoints("shop", [External("1")]);

        Assert.True(_table.Current["shop/1"].Ejected);
    }

    [Fact]
    public void SetServiceEndpoints_OtherServices_Untouched()
    {
        _table.OnPodChanged(null, Running(Pod("web-1")));
        _table.SetServiceEndpoints("shop", [External("1")]);
        _table.SetServiceEndpoints("shop", []);

        Assert.Equal(["web-1/i1"], _table.Current.Keys);
    }

    [Fact]
    public void Eject_ReadyEndpoint_OutOfRotationAndEjectedRaisedOnce()
    {
        var ejected = new List<Endpoint>();
        _table.Ejected += ejected.Add;
        _table.SetServiceEndpoints("shop", [External("1")]);

        var first = _table.Eject("shop/1");
        var second = _table.Eject("shop/1");

        Assert.Equal([first!], ejected);
        Assert.Null(second);
        Assert.Equal(("shop", "pod-1", "shop/1", true, false), (first!.Service, first.PodName, first.DestinationId, first.Ejected, first.Ready));
        Assert.Equal(["destinations shop", "conditions shop"], _changes);
    }

    [Fact]
    public void Eject_UnknownDestination_NothingHappens()
    {
        var ejected = new List<Endpoint>();
        _table.Ejected += ejected.Add;

        Assert.Null(_table.Eject("shop/9"));
        Assert.Empty(ejected);
        Assert.Empty(_changes);
    }

    [Fact]
    public void Eject_EndpointWithoutReadinessProbe_BackAfterTheEjectionPeriod()
    {
        _table.SetServiceEndpoints("shop", [External("1")]);
        _table.Eject("shop/1");

        _time.Advance(EndpointTable.EjectionWithoutReadinessProbe - TimeSpan.FromMilliseconds(1));
        Assert.True(_table.Current["shop/1"].Ejected);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(_table.Current["shop/1"].Ready);
        Assert.Equal(["destinations shop", "conditions shop", "conditions shop"], _changes);
    }

    [Fact]
    public void Eject_PodWithReadinessProbe_OutUntilThePodNextChanges()
    {
        var ready = Running(Pod("web-1"));
        _table.OnPodChanged(null, ready);
        _table.Eject("web-1/i1");

        _time.Advance(EndpointTable.EjectionWithoutReadinessProbe * 2);
        Assert.True(_table.ForPod("web-1")!.Ejected);
        var rechecked = Running(Pod("web-1"), ready: false);
        _table.OnPodChanged(ready, rechecked);
        _table.OnPodChanged(rechecked, ready);

        Assert.True(_table.ForPod("web-1")!.Ready);
    }

    [Fact]
    public void Eject_EndpointReplacedBeforeThePeriodEnds_TheNewOneKeepsItsOwnConditions()
    {
        _table.SetServiceEndpoints("shop", [External("1")]);
        _table.Eject("shop/1");
        _table.SetServiceEndpoints("shop", [External("1", terminating: true)]);
        _changes.Clear();

        _time.Advance(EndpointTable.EjectionWithoutReadinessProbe);

        Assert.Equal((false, true), (_table.Current["shop/1"].Ejected, _table.Current["shop/1"].Terminating));
        Assert.Empty(_changes);
    }
}
