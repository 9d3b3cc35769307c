using Gateway.Routing;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Routing;

public sealed class RequestTimeoutsTests
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly RequestTimeouts _timeouts;

    public RequestTimeoutsTests() => _timeouts = new RequestTimeouts(_time);

    private static TimeoutsSpec Timeouts(double? request = 30, bool set = false, double? backend = null) =>
        TimeoutsSpec.Default with { Request = request is { } r ? TimeSpan.FromSeconds(r) : null, RequestSet = set, BackendRequest = backend is { } b ? TimeSpan.FromSeconds(b) : null };

    private static DefaultHttpContext Request(TimeoutsSpec timeouts)
    {
        var context = Proxy.Request(Proxy.Cluster(new ClusterSettings(TimeSpan.Zero, RetrySpec.Default) { Timeouts = timeouts }), [new DestinationState("web-1/i1")]);
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A pod that never answers: the forwarder waits until the request's token ends, as YARP's does.</summary>
    private static async Task HungPodAsync(HttpContext context, TaskCompletionSource sent)
    {
        context.GetReverseProxyFeature().ProxiedDestination = context.GetReverseProxyFeature().AvailableDestinations[0];
        sent.TrySetResult();
        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        context.Response.StatusCode = StatusCodes.Status502BadGateway; // what YARP sets for a cancelled request
    }

    private static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }

    [Fact]
    public async Task InvokeAsync_HungPod_504AtTheRequestTimeoutNamingServicePodAndTimeout()
    {
        var context = Request(Timeouts(request: 2));
        var sent = new TaskCompletionSource();
        var client = context.RequestAborted;

        var request = _timeouts.InvokeAsync(context, () => HungPodAsync(context, sent));
        await sent.Task.WaitAsync(SafetyNet);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(request.IsCompleted, "answered before its timeout");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await request.WaitAsync(SafetyNet);

        Assert.Equal(StatusCodes.Status504GatewayTimeout, context.Response.StatusCode);
        Assert.Equal("gateway timeout: service web, pod web-1, did not answer within 2s (Timeouts:Request)\n", Body(context));
        Assert.Equal(client, context.RequestAborted);
    }

    [Fact]
    public async Task InvokeAttemptAsync_BackendRequestTimeout_504NamingIt()
    {
        var context = Request(Timeouts(request: 30, backend: 1));
        var sent = new TaskCompletionSource();

        var request = _timeouts.InvokeAsync(context, () => _timeouts.InvokeAttemptAsync(context, () => HungPodAsync(context, sent)));
        await sent.Task.WaitAsync(SafetyNet);
        _time.Advance(TimeSpan.FromSeconds(1));
        await request.WaitAsync(SafetyNet);

        Assert.Equal(StatusCodes.Status504GatewayTimeout, context.Response.StatusCode);
        Assert.EndsWith("did not answer within 1s (Timeouts:BackendRequest)\n", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ClientLeaves_NoAnswerWritten()
    {
        var context = Request(Timeouts(request: 2));
        using var client = new CancellationTokenSource();
        context.RequestAborted = client.Token;
        var sent = new TaskCompletionSource();

        var request = _timeouts.InvokeAsync(context, () => HungPodAsync(context, sent));
        await sent.Task.WaitAsync(SafetyNet);
        await client.CancelAsync();
        await request.WaitAsync(SafetyNet);

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal("", Body(context));
    }

    [Theory]
    [InlineData("Accept", "text/event-stream")]
    [InlineData("Content-Type", "application/grpc")]
    public async Task InvokeAsync_LongLivedRequest_NoDefaultTimeout_ButASetOneApplies(string header, string value)
    {
        var context = Request(Timeouts(request: 2));
        context.Request.Headers[header] = value;
        var answered = false;

        await _timeouts.InvokeAsync(context, () =>
        {
            answered = !context.RequestAborted.CanBeCanceled;
            return Task.CompletedTask;
        });
        Assert.True(answered, "a long-lived request got the default request timeout");

        var bounded = Request(Timeouts(request: 2, set: true));
        bounded.Request.Headers[header] = value;
        var sent = new TaskCompletionSource();
        var request = _timeouts.InvokeAsync(bounded, () => HungPodAsync(bounded, sent));
        await sent.Task.WaitAsync(SafetyNet);
        _time.Advance(TimeSpan.FromSeconds(2));
        await request.WaitAsync(SafetyNet);
        Assert.True(bounded.Response.StatusCode is StatusCodes.Status504GatewayTimeout or StatusCodes.Status200OK);
        if (value == "application/grpc")
        {
            Assert.Equal("4", bounded.Response.Headers["grpc-status"]);
        }
    }

    [Fact]
    public async Task InvokeAsync_NoRequestTimeout_TheRequestIsNotTouched()
    {
        var context = Request(Timeouts(request: null));
        var token = context.RequestAborted;
        var seen = CancellationToken.None;

        await _timeouts.InvokeAsync(context, () => _timeouts.InvokeAttemptAsync(context, () =>
        {
            seen = context.RequestAborted;
            return Task.CompletedTask;
        }));

        Assert.Equal(token, seen);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_AnswerIsAnEventStream_TheDefaultTimeoutEndsButASetOneStays()
    {
        foreach (var set in new[] { false, true })
        {
            var context = Request(Timeouts(request: 2, set: set));
            var response = new StartableResponse();
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(response);
            using var client = new CancellationTokenSource();
            context.RequestAborted = client.Token;
            var streaming = new TaskCompletionSource();

            var request = _timeouts.InvokeAsync(context, async () =>
            {
                context.Response.ContentType = "text/event-stream";
                await response.StartAsync();
                streaming.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            });
            await streaming.Task.WaitAsync(SafetyNet);
            _time.Advance(TimeSpan.FromSeconds(3));

            if (set)
            {
                // A timeout the service set bounds streams too: cut off (the response had started).
                await request.WaitAsync(SafetyNet);
                Assert.True(response.Aborted || context.RequestAborted.IsCancellationRequested || request.IsCompleted);
            }
            else
            {
                await Task.Yield();
                Assert.False(request.IsCompleted, "the default request timeout cut an event stream");
                await client.CancelAsync();
                await request.WaitAsync(SafetyNet);
            }
        }
    }

    /// <summary>A response whose start runs its OnStarting callbacks, as Kestrel's does.</summary>
    private sealed class StartableResponse : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public bool Aborted { get; set; }

        public override bool HasStarted => Started;

        private bool Started { get; set; }

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            Started = true;
            foreach (var (callback, state) in _starting)
            {
                await callback(state);
            }
        }
    }
}
