using Gateway.Routing;
using Gateway.Specs;
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
        var cluster = Proxy.Cluster(new ClusterSettings(TimeSpan.FromSeconds(10), RetrySpec.Default));
        var available = new ReadyDestinationsPolicy(table).GetAvailalableDestinations(cluster.Model.Config, [new DestinationState("old/i1"), new DestinationState("new/i1")]);
        var policy = new SlowStartPolicy(time);

        var picks = Enumerable.Range(0, 20_000).Select(_ => policy.PickDestination(new DefaultHttpContext(), cluster, available)!.DestinationId).ToList();

        // The new pod's share relative to the settled one's: its weight (0.1 .. 1).
        var ratio = picks.Count(p => p == "new/i1") / (double)picks.Count(p => p == "old/i1");
        Assert.InRange(ratio, minRatio, maxRatio);
    }

    [Fact]
    public void PickDestination_NoWindowOnTheCluster_RoundRobinEvenForANewPod()
    {
        var time = new FakeTimeProvider(Pods.PodStates.T0);
        var table = new EndpointTable(time);
        table.OnPodChanged(null, Running(Pod("old", 31001)));
        time.Advance(TimeSpan.FromMinutes(5));
        table.OnPodChanged(null, Running(Pod("new", 31002)));
        var cluster = Proxy.Cluster();
        var available = new ReadyDestinationsPolicy(table).GetAvailalableDestinations(cluster.Model.Config, [new DestinationState("old/i1"), new DestinationState("new/i1")]);
        var policy = new SlowStartPolicy(time);

        var picks = Enumerable.Range(0, 4).Select(_ => policy.PickDestination(new DefaultHttpContext(), cluster, available)!.DestinationId);

        Assert.Equal(["old/i1", "new/i1", "old/i1", "new/i1"], picks);
    }

    [Fact]
    public void PickDestination_DestinationsWithoutEndpoints_RoundRobin()
    {
        var policy = new SlowStartPolicy(new FakeTimeProvider());
        DestinationState[] narrowed = [new("a/i1"), new("b/i1")];
        var cluster = Proxy.Cluster(new ClusterSettings(TimeSpan.FromSeconds(10), RetrySpec.Default));

        var picks = Enumerable.Range(0, 4).Select(_ => policy.PickDestination(new DefaultHttpContext(), cluster, narrowed)!.DestinationId);

        Assert.Equal(["a/i1", "b/i1", "a/i1", "b/i1"], picks);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, "a/i1")]
    public void PickDestination_AtMostOneDestination_ThatOne(int count, string? expected)
    {
        var policy = new SlowStartPolicy(new FakeTimeProvider());
        DestinationState[] available = [.. Enumerable.Repeat("a/i1", count).Select(d => new DestinationState(d))];

        Assert.Equal(expected, policy.PickDestination(new DefaultHttpContext(), Proxy.Cluster(), available)?.DestinationId);
    }

    [Fact]
    public void Name_IsThePolicyName() => Assert.Equal(SlowStartPolicy.PolicyName, new SlowStartPolicy(new FakeTimeProvider()).Name);
}
