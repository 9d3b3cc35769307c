using System.Text;
using Gateway.Routing;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Endpoint = Gateway.Routing.Endpoint;

namespace Gateway.Tests.Routing;

public sealed class RetryMiddlewareTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly EndpointTable _table;
    private readonly RetryMiddleware _middleware;

    /// <summary>Each attempt: the destination it went to, and the body it carried when there was one.</summary>
    private readonly List<string> _attempts = [];
    private readonly List<string> _ejected = [];
    private readonly List<string> _retried = [];

    public RetryMiddlewareTests()
    {
        _table = new EndpointTable(_time);
        _table.Ejected += e => _ejected.Add($"{e.Service} {e.PodName} {e.DestinationId}");
        _middleware = new RetryMiddleware(_table, _time);
        _middleware.Retried += (service, reason) => _retried.Add($"{service} {reason}");
    }

    private static HttpRequestException Refused() => new(HttpRequestError.ConnectionError, "Connection refused");

    private static HttpRequestException Reset() => new(HttpRequestError.ResponseEnded, "The response ended prematurely");

    [Fact]
    public async Task InvokeAsync_ConnectFailure_RetriedOnAnotherEndpointAndTheFirstEjected()
    {
        var context = Request("a b");

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));

        Assert.Equal(["a", "b"], _attempts);
        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(["web pod-a web/a"], _ejected);
        Assert.True(_table.Current["web/a"].Ejected);
        Assert.Equal(["web connect"], _retried);
    }

    [Theory]
    [InlineData("GET", "a b")]
    [InlineData("PUT", "a b")]
    [InlineData("DELETE", "a b")]
    [InlineData("POST", "a")]
    [InlineData("PATCH", "a")]
    public async Task InvokeAsync_ResetBeforeResponse_RetriedOnlyWhenIdempotent(string method, string expected)
    {
        var context = Request("a b", method);

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Reset())));

        Assert.Equal(expected.Split(' '), _attempts);
        Assert.Empty(_ejected); // the pod accepted the connection: no sign that it is gone
    }

    [Fact]
    public async Task InvokeAsync_OtherForwarderError_NotRetried()
    {
        var context = Request("a b");

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", new InvalidOperationException("bad response"))));

        Assert.Equal(["a"], _attempts);
        Assert.NotNull(context.Features.Get<IForwarderErrorFeature>());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public async Task InvokeAsync_EveryEndpointRefuses_AttemptsBoundedByTheClustersSetting(int retries, int expectedAttempts)
    {
        var context = Request("a b c d e", settings: new RetrySpec(Attempts: retries));

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused()), ("b", Refused()), ("c", Refused()), ("d", Refused()), ("e", Refused())));

        Assert.Equal(expectedAttempts, _attempts.Count);
        Assert.NotNull(context.Features.Get<IForwarderErrorFeature>());
    }

    [Fact]
    public async Task InvokeAsync_NoOtherEndpoint_NotRetried()
    {
        var context = Request("a");

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));

        Assert.Equal(["a"], _attempts);
        Assert.Empty(_retried);
        Assert.Equal(["web pod-a web/a"], _ejected);
    }

    [Fact]
    public async Task InvokeAsync_BudgetSpent_FailsAfterTheWaitWithoutRetrying()
    {
        var context = Request("a b", settings: new RetrySpec(BudgetPercent: 0, MinConcurrent: 0));

        var invoked = _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));
        Assert.False(invoked.IsCompleted); // waiting for a slot
        _time.Advance(RetryBudget.MaxWait);
        await invoked.WaitAsync(SafetyNet);

        Assert.Equal(["a"], _attempts);
        Assert.Empty(_retried);
        Assert.NotNull(context.Features.Get<IForwarderErrorFeature>());
    }

    [Theory]
    [InlineData("hello", "a:hello b:hello")]
    [InlineData("12345678", "a:12345678 b:12345678")]
    [InlineData("123456789", "a:123456789")]
    public async Task InvokeAsync_RequestBody_ReplayedWholeOnlyWithinTheBufferLimit(string body, string expected)
    {
        var context = Request("a b", "POST", new RetrySpec(BufferBytes: 8));
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));

        Assert.Equal(expected.Split(' '), _attempts);
    }

    [Fact]
    public async Task InvokeAsync_Http2BodyOfUnknownLength_NotReplayed()
    {
        // An HTTP/2 request with a body (a gRPC stream): no Content-Length and no Transfer-Encoding, yet a body.
        var context = Request("a b", "POST");
        context.Request.Body = new MemoryStream("hello"u8.ToArray());
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new BodyDetection(CanHaveBody: true));

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));

        Assert.Equal(["a:hello"], _attempts);
    }

    [Fact]
    public async Task InvokeAsync_Http2RequestWithoutBody_RetriedLikeAnyOther()
    {
        var context = Request("a b", "POST");
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new BodyDetection(CanHaveBody: false));

        await _middleware.InvokeAsync(context, Forwarding(context, ("a", Refused())));

        Assert.Equal(["a", "b"], _attempts);
    }

    private sealed record BodyDetection(bool CanHaveBody) : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature;

    [Fact]
    public async Task InvokeAsync_FirstAttemptSucceeds_NothingElseHappens()
    {
        var context = Request("a b");

        await _middleware.InvokeAsync(context, Forwarding(context));

        Assert.Equal(["a"], _attempts);
        Assert.Empty(_ejected);
        Assert.Empty(_retried);
    }

    /// <summary>Ready endpoints of service <c>web</c> named by <paramref name="pods"/>, available as YARP would hand them to the request.</summary>
    private DefaultHttpContext Request(string pods, string method = "GET", RetrySpec? settings = null)
    {
        var names = pods.Split(' ');
        _table.SetServiceEndpoints("web", names.Select(n => new Endpoint("web", $"pod-{n}", $"web/{n}", $"http://10.0.0.1:{8000 + n[0]}", Serving: true, Terminating: false)));
        var cluster = Proxy.Cluster(new ClusterSettings(TimeSpan.Zero, settings ?? RetrySpec.Default));
        var available = new ReadyDestinationsPolicy(_table).GetAvailalableDestinations(cluster.Model.Config, [.. names.Select(n => new DestinationState($"web/{n}"))]);
        return Proxy.Request(cluster, available, method);
    }

    /// <summary>
    /// Load balancing and the forwarder, as one step: picks the first available destination, narrows
    /// the availability to it as YARP's load balancing does, reads the body, and fails as scripted.
    /// </summary>
    private Func<Task> Forwarding(HttpContext context, params (string Pod, Exception Error)[] failures) => async () =>
    {
        var feature = context.GetReverseProxyFeature();
        var pick = feature.AvailableDestinations[0];
        feature.AvailableDestinations = pick;
        feature.ProxiedDestination = pick;
        var pod = pick.DestinationId["web/".Length..];
        using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        _attempts.Add(body.Length > 0 ? $"{pod}:{body}" : pod);
        if (failures.FirstOrDefault(f => f.Pod == pod).Error is { } error)
        {
            Proxy.Fail(context, error);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
    };
}
