using Gateway.Routing;
using Gateway.Specs;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;
using static Gateway.Tests.Routing.Endpoints;

namespace Gateway.Tests.Routing;

public sealed class SlowStartPolicyTests
{
    [Theory]
    [InlineData(0, 10, 0.1)]
    [InlineData(0.5, 10, 0.1)]
    [InlineData(2, 10, 0.2)]
    [InlineData(5, 10, 0.5)]
    [InlineData(9, 10, 0.9)]
    [InlineData(10, 10, 1)]
    [InlineData(60, 10, 1)]
    [InlineData(0, 0, 1)]
    public void Weight_GrowsLinearlyOverTheWindowFromTenPercent(double readySeconds, double windowSeconds, double expected) =>
        Assert.Equal(expected, SlowStartPolicy.Weight(TimeSpan.FromSeconds(readySeconds), TimeSpan.FromSeconds(windowSeconds)), 3);

    [Theory]
    [InlineData(1, 0.07, 0.13)]
    [InlineData(5, 0.45, 0.55)]
    [InlineData(10, 0.95, 1.05)]
    [InlineData(30, 0.95, 1.05)]
    public void PickDestination_NewPodGetsAGrowingShare(double secondsAfterReady, double minRatio, double maxRatio)
    {
        var time = new FakeTimeProvider(Pods.PodStates.T0);
        var table = new EndpointTable(time);
        table.OnPodChanged(null, Running(Pod("old", 31001)));
        time.Advance(TimeSpan.FromMinutes(5));
        table.OnPodChanged(null, Running(Pod("new", 31002)));
        time.Advance(TimeSpan.FromSeconds(secondsAfterReady));
        var catalog = new ServiceCatalog(new GatewaySpec("", "", [new ServiceSpec
        {
            Name = "web", Route = new RouteSpec("/", []), Backend = new StaticBackend([new Uri("http://127.0.0.1:1")], null),
            ConfigDirectory = "/", SlowStart = TimeSpan.FromSeconds(10),
        }]));
        var policy = new SlowStartPolicy(table, catalog, time);
        DestinationState[] destinations = [new("old/i1"), new("new/i1")];

        var picks = Enumerable.Range(0, 20_000).Select(_ => policy.PickDestination(new DefaultHttpContext(), new ClusterState("web"), destinations)!.DestinationId).ToList();

        // The new pod's share relative to the settled one's: its weight (0.1 .. 1).
        var ratio = picks.Count(p => p == "new/i1") / (double)picks.Count(p => p == "old/i1");
        Assert.InRange(ratio, minRatio, maxRatio);
    }
}
