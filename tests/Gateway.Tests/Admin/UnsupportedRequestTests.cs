using System.Text.Json.Nodes;
using Gateway.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Admin;

public sealed class UnsupportedRequestTests
{
    [Theory]
    [InlineData("POST", "/api/v1/namespaces/default/pods", 405, "the gateway makes its pods from the services of its settings file")]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1", 405, "pod \"web-1\" is made from its service's template")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/web-1", 405, "pod \"web-1\" is made from its service's template")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/web-1/status", 405, "only PATCH of pod \"web-1\"'s status.conditions")]
    [InlineData("DELETE", "/api/v1/namespaces/default/events/web-1.1", 405, "events are recorded by the gateway")]
    [InlineData("POST", "/api/v1/namespaces/default/events", 405, "events are recorded by the gateway")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", 405, "pods can only be read")]
    [InlineData("POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", 405, "endpointslices can only be read")]
    [InlineData("POST", "/api/v1/namespaces/default/services", 404, "the server could not find the requested resource")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web-1/exec", 404, "the server could not find the requested resource")]
    [InlineData("POST", "/apis/apps/v1/namespaces/default/deployments", 405, "the gateway's Deployments are its replicated services")]
    [InlineData("POST", "/apis/batch/v1/namespaces/default/jobs", 404, "the server could not find the requested resource")]
    public async Task Answer_VerbOrPath_MethodNotAllowedForServedResourcesElseNotFound(string method, string path, int code, string message)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();

        await UnsupportedRequest.Answer(context.Request).ExecuteAsync(context);

        context.Response.Body.Position = 0;
        var status = JsonNode.Parse(context.Response.Body)!;
        Assert.Equal((code, code, "Status"), (context.Response.StatusCode, status["code"]!.GetValue<int>(), status["kind"]!.GetValue<string>()));
        Assert.Equal(code == 405 ? "MethodNotAllowed" : "NotFound", status["reason"]!.GetValue<string>());
        Assert.Contains(message, status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
