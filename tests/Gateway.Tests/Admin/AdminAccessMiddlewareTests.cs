using System.Text.Json.Nodes;
using Gateway.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Admin;

public sealed class AdminAccessMiddlewareTests
{
    private const string Token = "the-token";

    private static async Task<(HttpContext Context, bool Passed, JsonNode? Body)> SendAsync(
        string method, string path, string host = "127.0.0.1:9090", bool loopbackOnly = true, string? authorization = null, string? cookie = null, long? contentLength = null, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Request.Host = new HostString(host);
        context.Request.ContentLength = contentLength;
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{AdminAccessMiddleware.CookieName}={cookie}";
        }

        var body = new MemoryStream();
        context.Response.Body = body;
        var passed = false;
        var door = new AdminAccessMiddleware(new AdminAccess(Token, "/state/admin-token", "/config/gateway.kubeconfig", loopbackOnly, ["gateway.example"]), NullLogger<AdminAccessMiddleware>.Instance);

        await door.InvokeAsync(context, _ =>
        {
            passed = true;
            return Task.CompletedTask;
        });

        return (context, passed, body.Length == 0 ? null : JsonNode.Parse(body.ToArray()));
    }

    [Fact]
    public async Task InvokeAsync_ForeignHost_403StatusNamingTheHostAndTheSetting()
    {
        var (context, passed, body) = await SendAsync("GET", "/api/v1/pods", host: "evil.example:9090");

        Assert.False(passed);
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("Status", (string?)body!["kind"]);
        Assert.Equal("Forbidden", (string?)body["reason"]);
        Assert.Equal("host \"evil.example\" is not allowed to reach the admin API: it is not a loopback name or an IP address; add it to Gateway:Admin:Hosts to allow it", (string?)body["message"]);
    }

    [Theory]
    [InlineData("localhost:9090")]
    [InlineData("[::1]:9090")]
    [InlineData("gateway.example")]
    public async Task InvokeAsync_AllowedHost_Passes(string host) => Assert.True((await SendAsync("GET", "/api/v1/pods", host: host)).Passed);

    [Theory]
    [InlineData(null, 401)]
    [InlineData("Bearer wrong", 401)]
    [InlineData("Basic dXNlcjpwYXNz", 401)]
    [InlineData("Bearer the-token", 200)]
    [InlineData("bearer the-token", 200)]
    public async Task InvokeAsync_Patch_NeedsTheBearerToken(string? authorization, int want)
    {
        var (context, passed, body) = await SendAsync("PATCH", "/api/v1/namespaces/default/pods/web-1/status", authorization: authorization);

        Assert.Equal(want == 200, passed);
        Assert.Equal(want, context.Response.StatusCode);
        if (want == 401)
        {
            Assert.Equal("Unauthorized", (string?)body!["reason"]);
            Assert.Equal(401, (int?)body["code"]);
            Assert.Equal("Bearer realm=\"gateway\"", context.Response.Headers.WWWAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task InvokeAsync_StatusPageWithRightToken_SetsStrictHttpOnlyCookieAndRedirectsWithoutIt()
    {
        var (context, passed, _) = await SendAsync("GET", "/", loopbackOnly: false, query: "?token=the-token");

        Assert.False(passed);
        Assert.Equal(302, context.Response.StatusCode);
        Assert.Equal("/", context.Response.Headers.Location.ToString());
        var cookie = context.Response.Headers.SetCookie.ToString();
        Assert.Contains($"{AdminAccessMiddleware.CookieName}=the-token", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_StatusPageWithWrongToken_401AndNoCookie()
    {
        var (context, passed, _) = await SendAsync("GET", "/", loopbackOnly: false, query: "?token=nope");

        Assert.False(passed);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Empty(context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public async Task InvokeAsync_BodyOverTheLimit_413BeforeTheEndpoint()
    {
        var (context, passed, body) = await SendAsync("PATCH", "/api/v1/namespaces/default/pods/web-1/status", authorization: "Bearer the-token", contentLength: AdminAccessMiddleware.MaxBodyBytes + 1);

        Assert.False(passed);
        Assert.Equal(413, context.Response.StatusCode);
        Assert.Equal("RequestEntityTooLarge", (string?)body!["reason"]);
    }

    [Fact]
    public async Task InvokeAsync_BodyAtTheLimit_Passes() =>
        Assert.True((await SendAsync("PATCH", "/x", authorization: "Bearer the-token", contentLength: AdminAccessMiddleware.MaxBodyBytes)).Passed);
}
