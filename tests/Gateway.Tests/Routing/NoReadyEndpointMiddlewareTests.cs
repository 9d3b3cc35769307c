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

    [Theory]
    [InlineData("application/grpc")]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    public async Task InvokeAsync_GrpcCallWithNoDestination_TrailersOnlyUnavailable(string contentType)
    {
        var context = Proxy.Request(Proxy.Cluster(), []);
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();

        await NoReadyEndpointMiddleware.InvokeAsync(context, () => Task.CompletedTask);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("application/grpc", context.Response.ContentType);
        Assert.Equal("14", context.Response.Headers["grpc-status"]);
        Assert.Equal("no%20ready%20pod%20for%20service%20web", context.Response.Headers["grpc-message"]);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Theory]
    [InlineData("application/grpc-web")]
    [InlineData("application/grpcx")]
    [InlineData("application/json")]
    public void IsGrpc_OtherContentTypes_No(string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;

        Assert.False(NoReadyEndpointMiddleware.IsGrpc(context.Request));
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
