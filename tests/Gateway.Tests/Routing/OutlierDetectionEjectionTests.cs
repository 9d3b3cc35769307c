using Gateway.Routing;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Routing.Endpoints;

namespace Gateway.Tests.Routing;

/// <summary><see cref="EndpointTable.Eject"/> with an end time (an outlier ejection); the readiness-ended one is <see cref="EndpointTableTests"/>'.</summary>
public sealed class OutlierDetectionEjectionTests
{
    private static readonly TimeSpan For = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly EndpointTable _table;

    public OutlierDetectionEjectionTests() => _table = new EndpointTable(_time);

    [Fact]
    public void TimedEjection_PodReportsDoNotEndIt_BackAtItsTime()
    {
        var ready = Running(Pod("web-1"));
        _table.OnPodChanged(null, ready);
        var changes = new List<string>();
        _table.ConditionsChanged += changes.Add;

        Assert.NotNull(_table.Eject("web-1/i1", _time.GetUtcNow() + For));
        _table.OnPodChanged(ready, ready with { });
        _time.Advance(For - TimeSpan.FromMilliseconds(1));
        Assert.True(_table.ForPod("web-1")!.Ejected);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(_table.ForPod("web-1")!.Ready);
    }

    [Fact]
    public void TimedEjection_OfAnExternalEndpointThatGoesDown_EndsAndReadinessDecides()
    {
        // Down, not misbehaving: a server that stops and starts again at its address is routed once its readiness passes.
        var endpoint = new Endpoint("shop", "10.0.0.1", "shop/1", "http://10.0.0.1:80", Serving: true, Terminating: false, HasPod: false);
        _table.SetServiceEndpoints("shop", [endpoint]);
        Assert.NotNull(_table.Eject("shop/1", _time.GetUtcNow() + For));

        _table.SetServiceEndpoints("shop", [endpoint with { Serving = false }]);
        Assert.False(_table.Current["shop/1"].Ready);
        _table.SetServiceEndpoints("shop", [endpoint]);

        Assert.True(_table.Current["shop/1"].Ready);
    }

    [Fact]
    public void TimedEjection_APodsReadinessFailingAndPassing_DoesNotEndIt()
    {
        var ready = Running(Pod("web-1"));
        _table.OnPodChanged(null, ready);
        Assert.NotNull(_table.Eject("web-1/i1", _time.GetUtcNow() + For));

        var rechecked = Running(Pod("web-1"), ready: false);
        _table.OnPodChanged(ready, rechecked);
        _table.OnPodChanged(rechecked, ready);

        Assert.True(_table.ForPod("web-1")!.Ejected);
    }

    [Fact]
    public void TimedEjection_ANewInstanceOfThePod_IsNotEjected()
    {
        var ready = Running(Pod("web-1"));
        _table.OnPodChanged(null, ready);
        _table.Eject("web-1/i1", _time.GetUtcNow() + For);

        _table.OnPodChanged(ready, Running(Pod("web-1"), instance: "i2"));

        Assert.True(_table.ForPod("web-1")!.Ready);
        _time.Advance(For);
        Assert.True(_table.ForPod("web-1")!.Ready);
    }

    [Fact]
    public void TimedEjection_OfAnExternalEndpoint_SurvivesAChangedReport()
    {
        var endpoint = new Endpoint("shop", "10.0.0.1", "shop/1", "http://10.0.0.1:80", Serving: true, Terminating: false, HasPod: false);
        _table.SetServiceEndpoints("shop", [endpoint]);
        _table.Eject("shop/1", _time.GetUtcNow() + For);

        _table.SetServiceEndpoints("shop", [endpoint with { ReadySince = _time.GetUtcNow() }]);
        Assert.True(_table.Current["shop/1"].Ejected);
        _time.Advance(For);

        Assert.True(_table.Current["shop/1"].Ready);
    }

    [Fact]
    public void TimedEjection_AlreadyEjected_Refused()
    {
        _table.OnPodChanged(null, Running(Pod("web-1")));
        _table.Eject("web-1/i1");

        Assert.Null(_table.Eject("web-1/i1", _time.GetUtcNow() + For));
    }
}
