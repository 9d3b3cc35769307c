using Gateway.Routing;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Routing;

public sealed class InFlightRequestsTests
{
    private readonly EndpointTable _endpoints = new(new FakeTimeProvider());
    private readonly ClusterState _cluster = Proxy.Cluster();

    [Fact]
    public async Task InvokeAsync_CountsEachDestinationsRequests_AndTheFailedOnes()
    {
        var inFlight = new InFlightRequests(_endpoints);
        var one = new DestinationState("web/web-1");
        var two = new DestinationState("web/web-2");

        await Answer(inFlight, one, 200);
        await Answer(inFlight, one, 404);
        await Answer(inFlight, one, 503);
        await Answer(inFlight, two, 200);
        var broken = Proxy.Request(_cluster, [two]);
        await inFlight.InvokeAsync(broken, () =>
        {
            Proxy.Fail(broken, new HttpRequestException("reset"));
            return Task.CompletedTask;
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => inFlight.InvokeAsync(Proxy.Request(_cluster, [two]), () => throw new InvalidOperationException()));

        var counts = inFlight.Counts().ToDictionary(c => c.DestinationId, c => (c.Requests, c.Failed));
        Assert.Equal((3L, 1L), counts["web/web-1"]);
        Assert.Equal((3L, 2L), counts["web/web-2"]);
    }

    [Fact]
    public async Task InvokeAsync_TheClientLeft_NotThePodsFailure()
    {
        var inFlight = new InFlightRequests(_endpoints);
        var one = new DestinationState("web/web-1");
        var cancelled = Proxy.Request(_cluster, [one]);

        await inFlight.InvokeAsync(cancelled, () =>
        {
            Proxy.Fail(cancelled, new OperationCanceledException(), Yarp.ReverseProxy.Forwarder.ForwarderError.RequestCanceled);
            cancelled.Response.StatusCode = 502; // what YARP sets, though nobody reads it
            return Task.CompletedTask;
        });

        Assert.Equal((1L, 0L), inFlight.Counts().Select(c => (c.Requests, c.Failed)).Single());
    }

    [Fact]
    public async Task InvokeAsync_NotYetNarrowedToOneDestination_NotCounted()
    {
        var inFlight = new InFlightRequests(_endpoints);

        await inFlight.InvokeAsync(Proxy.Request(_cluster, [new DestinationState("web/web-1"), new DestinationState("web/web-2")]), () => Task.CompletedTask);

        Assert.Empty(inFlight.Counts());
    }

    private Task Answer(InFlightRequests inFlight, DestinationState destination, int status)
    {
        var context = Proxy.Request(_cluster, [destination]);
        return inFlight.InvokeAsync(context, () =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });
    }
}
