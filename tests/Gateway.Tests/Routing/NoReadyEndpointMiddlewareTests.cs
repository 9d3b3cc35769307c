using Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Routing;

public sealed class NoReadyEndpointMiddlewareTests
{
    [Fact]
    public async Task InvokeAsync_NoAvailableDestination_503WithRetryAfterNamingTheService()
    {
        var context = Proxy.Request(Proxy.Cluster(), []);
        context.Response.Body = new MemoryStream();
        var called = false;

        await NoReadyEndpointMiddleware.InvokeAsync(context, () => { called = true; return Task.CompletedTask; });

        Assert.False(called);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter);
        context.Response.Body.Position = 0;
        Assert.Equal("no ready pod for service web\n", await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    [Fact]
    public async Task InvokeAsync_AnAvailableDestination_PassesTheRequestOn()
    {
        var context = Proxy.Request(Proxy.Cluster(), [new DestinationState("web/a")]);
        var called = false;

        await NoReadyEndpointMiddleware.InvokeAsync(context, () => { called = true; return Task.CompletedTask; });

        Assert.True(called);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
    }
}
