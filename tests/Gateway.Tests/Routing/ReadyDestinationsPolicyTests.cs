using Microsoft.Extensions.Time.Testing;
using Gateway.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using static Gateway.Tests.Routing.Endpoints;

namespace Gateway.Tests.Routing;

public sealed class ReadyDestinationsPolicyTests
{
    private static readonly ClusterConfig Cluster = new() { ClusterId = "web" };

    /// <summary>
    /// Pods are written <c>name:state</c>; states: <c>ready</c>, <c>unready</c> (running, readiness failing),
    /// <c>serving-terminating</c> (ready and being deleted), <c>terminating</c> (not ready and being deleted),
    /// <c>ejected</c> (ready, and ejected after a connect failure). Destinations named <c>ghost</c> have no endpoint.
    /// </summary>
    [Theory]
    [InlineData("a:ready b:unready c:serving-terminating d:terminating", "a b c d ghost", "a")]
    [InlineData("a:ready b:ready c:serving-terminating", "a b c", "a b")]
    [InlineData("a:unready b:serving-terminating c:terminating", "a b c ghost", "b")]
    [InlineData("a:serving-terminating b:serving-terminating", "a b", "a b")]
    [InlineData("a:unready b:terminating", "a b", "")]
    [InlineData("a:ready", "ghost", "")]
    [InlineData("", "ghost", "")]
    [InlineData("a:ready", "", "")]
    [InlineData("a:ejected b:ready", "a b", "b")]
    [InlineData("a:ejected b:serving-terminating", "a b", "b")]
    [InlineData("a:ejected", "a", "")]
    public void GetAvailableDestinations_Endpoints_ReadyElseServingTerminating(string pods, string destinations, string expected)
    {
        var table = new EndpointTable(new FakeTimeProvider());
        foreach (var pod in Split(pods))
        {
            var parts = pod.Split(':');
            var state = parts[1];
            table.OnPodChanged(null, Running(Pod(parts[0]), ready: state is "ready" or "serving-terminating" or "ejected", deleting: state.EndsWith("terminating", StringComparison.Ordinal)));
            if (state == "ejected")
            {
                table.Eject($"{parts[0]}/i1");
            }
        }

        var policy = new ReadyDestinationsPolicy(table);
        var available = policy.GetAvailalableDestinations(Cluster, [.. Split(destinations).Select(d => new DestinationState($"{d}/i1"))]);

        Assert.Equal([.. Split(expected).Select(d => $"{d}/i1")], available.Select(d => d.DestinationId));
    }

    [Fact]
    public void GetAvailableDestinations_PodRestarted_OldInstanceDestinationGetsNothing()
    {
        var table = new EndpointTable(new FakeTimeProvider());
        table.OnPodChanged(null, Running(Pod("a"), "i1"));
        table.OnPodChanged(Running(Pod("a"), "i1"), Running(Pod("a"), "i2"));

        var available = new ReadyDestinationsPolicy(table).GetAvailalableDestinations(Cluster, [new DestinationState("a/i1"), new DestinationState("a/i2")]);

        Assert.Equal(["a/i2"], available.Select(d => d.DestinationId));
    }

    [Fact]
    public void GetAvailableDestinations_Chosen_CarryTheirEndpoints()
    {
        var table = new EndpointTable(new FakeTimeProvider());
        table.OnPodChanged(null, Running(Pod("a", 31001)));
        table.OnPodChanged(null, Running(Pod("b", 31002)));

        var available = new ReadyDestinationsPolicy(table).GetAvailalableDestinations(Cluster, [new DestinationState("a/i1"), new DestinationState("b/i1")]);

        var ready = Assert.IsType<ReadyDestinations>(available);
        Assert.Equal([table.Current["a/i1"], table.Current["b/i1"]], Enumerable.Range(0, ready.Count).Select(ready.EndpointAt));
    }

    [Fact]
    public void Name_IsThePolicyName() => Assert.Equal(ReadyDestinationsPolicy.PolicyName, new ReadyDestinationsPolicy(new EndpointTable(new FakeTimeProvider())).Name);

    private static string[] Split(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
