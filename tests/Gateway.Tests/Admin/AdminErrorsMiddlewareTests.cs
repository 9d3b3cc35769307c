using System.Text.Json.Nodes;
using Gateway.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Admin;

public sealed class AdminErrorsMiddlewareTests
{
    private static async Task<(int Code, JsonNode? Body)> RunAsync(RequestDelegate endpoint)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;

        await new AdminErrorsMiddleware(NullLogger<AdminErrorsMiddleware>.Instance).InvokeAsync(context, endpoint);

        return (context.Response.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body.ToArray()));
    }

    [Fact]
    public async Task InvokeAsync_Exception_500StatusWithTheMessage()
    {
        var (code, body) = await RunAsync(_ => throw new InvalidOperationException("boom"));

        Assert.Equal(500, code);
        Assert.Equal("InternalError", (string?)body!["reason"]);
        Assert.Equal("Internal error occurred: boom", (string?)body["message"]);
    }

    [Fact]
    public async Task InvokeAsync_BodyTooLargeWhileReading_413Status()
    {
        var (code, body) = await RunAsync(_ => throw new BadHttpRequestException("Request body too large.", 413));

        Assert.Equal(413, code);
        Assert.Equal("RequestEntityTooLarge", (string?)body!["reason"]);
    }

    [Theory]
    [InlineData(404, "NotFound", "the server could not find the requested resource")]
    [InlineData(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")]
    public async Task InvokeAsync_EmptyErrorAnswer_GetsTheApiServersStatus(int status, string reason, string message)
    {
        var (code, body) = await RunAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        Assert.Equal(status, code);
        Assert.Equal(reason, (string?)body!["reason"]);
        Assert.Equal(message, (string?)body["message"]);
    }

    [Fact]
    public async Task InvokeAsync_ErrorWithItsOwnBody_IsLeftAlone()
    {
        var (code, body) = await RunAsync(context => KubernetesStatus.WriteAsync(context.Response, 404, "NotFound", "pods \"x\" not found"));

        Assert.Equal(404, code);
        Assert.Equal("pods \"x\" not found", (string?)body!["message"]);
    }
}
