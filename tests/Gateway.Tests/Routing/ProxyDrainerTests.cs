using System.Diagnostics.CodeAnalysis;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using HttpContext = Microsoft.AspNetCore.Http.HttpContext;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Routing;

public sealed class ProxyDrainerTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly TrackingTimeProvider _time = new(T0);
    private readonly EndpointTable _endpoints;
    private readonly ProxyState _proxy = new();
    private readonly ProxyDrainer _drainer;
    private readonly InFlightRequests _inFlight;
    private readonly PodState _pod = Create("Always", [Container("app")]) with { Name = "web-1" };
    private readonly DestinationState _destination = new("web/web-1");

    public ProxyDrainerTests()
    {
        _endpoints = new EndpointTable(_time);
        _endpoints.SetServiceEndpoints("web", [new Endpoint("web", "web-1", "web/web-1", "http://127.0.0.1:31000", Serving: true, Terminating: true)]);
        var cluster = new ClusterState("web");
        cluster.Destinations[_destination.DestinationId] = _destination;
        _proxy.Clusters["web"] = cluster;
        _inFlight = new InFlightRequests(_endpoints);
        _drainer = new ProxyDrainer(new ServiceCollection().AddSingleton<IProxyStateLookup>(_proxy).BuildServiceProvider(), _endpoints, _inFlight, _time, NullLogger<ProxyDrainer>.Instance);
    }

    [Fact]
    public void DrainAsync_NoRequestInFlight_DoneAtOnce()
    {
        var drain = _drainer.DrainAsync(_pod, T0.AddSeconds(30), CancellationToken.None);

        Assert.True(drain.IsCompletedSuccessfully);
        Assert.Empty(_time.Timers);
    }

    [Theory]
    [InlineData("pod not routed")]
    [InlineData("no cluster")]
    [InlineData("no destination")]
    [InlineData("grace spent")]
    public void DrainAsync_NothingToWaitFor_DoneAtOnceEvenWithRequestsInFlight(string why)
    {
        _destination.ConcurrentRequestCount = 3;
        var deadline = T0.AddSeconds(30);
        switch (why)
        {
            case "pod not routed":
                _endpoints.SetServiceEndpoints("web", []);
                break;
            case "no cluster":
                _proxy.Clusters.Clear();
                break;
            case "no destination":
                _proxy.Clusters["web"].Destinations.Clear();
                break;
            default:
                deadline = T0;
                break;
        }

        var drain = _drainer.DrainAsync(_pod, deadline, CancellationToken.None);

        Assert.True(drain.IsCompletedSuccessfully);
        Assert.Empty(_time.Timers);
    }

    [Fact]
    public async Task DrainAsync_RequestsInFlight_DoneOnTheFirstPollAfterTheLastEnds()
    {
        _destination.ConcurrentRequestCount = 2;

        var drain = _drainer.DrainAsync(_pod, T0.AddSeconds(30), CancellationToken.None);

        // Only the clock can move the drain on, and it stands: the drain is waiting.
        Assert.False(drain.IsCompleted);
        await AdvanceToPollAsync(1);
        _destination.ConcurrentRequestCount = 1;
        await AdvanceToPollAsync(2);

        // The third poll armed (awaited inside) shows that one request left in flight kept the drain going.
        _destination.ConcurrentRequestCount = 0;
        await AdvanceToPollAsync(3);
        await drain.WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal([Poll, Poll, Poll], _time.Timers.Select(t => t.DueTime));
    }

    [Fact]
    public async Task DrainAsync_RequestsOutlastTheDeadline_DoneAtTheDeadline()
    {
        _destination.ConcurrentRequestCount = 1;

        var drain = _drainer.DrainAsync(_pod, T0.AddMilliseconds(120), CancellationToken.None);
        for (var poll = 1; poll <= 3; poll++)
        {
            await AdvanceToPollAsync(poll);
        }

        await drain.WaitAsync(ConditionSignal.SafetyNet);
        Assert.Equal([Poll, Poll, TimeSpan.FromMilliseconds(20)], _time.Timers.Select(t => t.DueTime));
    }

    [Fact]
    public async Task DrainAsync_RequestsOutlastTheDeadline_ClosedThereAndOnlyThose()
    {
        var other = new DestinationState("web/web-2");
        var (longPoll, longPollEnds, _) = InFlight(_destination);
        var (elsewhere, elsewhereEnds, _) = InFlight(other);
        var (ended, endedEnds, endedHandled) = InFlight(_destination);
        endedEnds.SetResult();
        await endedHandled.WaitAsync(ConditionSignal.SafetyNet);
        _destination.ConcurrentRequestCount = 1;

        var drain = _drainer.DrainAsync(_pod, T0.AddMilliseconds(120), CancellationToken.None);
        for (var poll = 1; poll <= 3; poll++)
        {
            Assert.False(Aborted(longPoll), "closed before the deadline");
            await AdvanceToPollAsync(poll);
        }

        await drain.WaitAsync(ConditionSignal.SafetyNet);
        Assert.True(Aborted(longPoll), "the request still in flight to the draining pod is closed at the deadline");
        Assert.False(Aborted(elsewhere), "a request to another pod is left alone");
        Assert.False(Aborted(ended), "a request that ended is not touched");
        longPollEnds.SetResult();
        elsewhereEnds.SetResult();
    }

    [Fact]
    public async Task DrainAsync_RequestsEndBeforeTheDeadline_NothingClosed()
    {
        var (request, ends, _) = InFlight(_destination);
        _destination.ConcurrentRequestCount = 1;

        var drain = _drainer.DrainAsync(_pod, T0.AddSeconds(30), CancellationToken.None);
        await AdvanceToPollAsync(1);
        ends.SetResult();
        _destination.ConcurrentRequestCount = 0;
        await AdvanceToPollAsync(2);
        await drain.WaitAsync(ConditionSignal.SafetyNet);

        Assert.False(Aborted(request));
    }

    /// <summary>
    /// A request load balancing sent to <paramref name="destination"/>, in flight until <c>Ends</c>
    /// completes; <c>Handled</c> completes when the pipeline has finished with it (its registration gone).
    /// </summary>
    private (HttpContext Context, TaskCompletionSource Ends, Task Handled) InFlight(DestinationState destination)
    {
        var context = Proxy.Request(_proxy.Clusters["web"], [destination]);
        context.Features.Set<IHttpRequestLifetimeFeature>(new Lifetime());
        var ends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = _inFlight.InvokeAsync(context, () => ends.Task);
        return (context, ends, handled);
    }

    private static bool Aborted(HttpContext context) => ((Lifetime)context.Features.Get<IHttpRequestLifetimeFeature>()!).Aborted;

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }

    [Fact]
    public async Task DrainAsync_Cancelled_StopsWaiting()
    {
        _destination.ConcurrentRequestCount = 1;
        using var cancel = new CancellationTokenSource();

        var drain = _drainer.DrainAsync(_pod, T0.AddSeconds(30), cancel.Token);
        await _time.WaitForTimersAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => drain.WaitAsync(ConditionSignal.SafetyNet));
    }

    /// <summary>Waits until the drain has armed its <paramref name="poll"/>th poll, then moves the clock to it.</summary>
    private async Task AdvanceToPollAsync(int poll)
    {
        await _time.WaitForTimersAsync(poll);
        _time.Advance(_time.Timers[poll - 1].DueTime);
    }

    /// <summary>YARP's routes and clusters as the test sets them.</summary>
    private sealed class ProxyState : IProxyStateLookup
    {
        public Dictionary<string, ClusterState> Clusters { get; } = new(StringComparer.Ordinal);

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => Clusters.TryGetValue(id, out cluster);

        public IEnumerable<ClusterState> GetClusters() => Clusters.Values;
    }
}
