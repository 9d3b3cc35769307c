using System.Net;
using Gateway.Events;
using Gateway.Kubernetes;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Tests.Fakes.FakeKubernetesApi;
using Endpoint = Gateway.Routing.Endpoint;

namespace Gateway.Tests.Kubernetes;

public sealed class EndpointSliceWatcherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ServiceSpec Service = ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30)) with
    {
        Backend = new ClusterBackend("default", "shop", "http", ReadinessProbe: null),
    };

    private readonly TrackingTimeProvider _time = new(T0);
    private readonly FakeKubernetesApi _api = new();
    private readonly EndpointTable _endpoints;
    private readonly GatewayStatus _status = new();
    private readonly EventWatch _events;
    private readonly EndpointSliceWatcher _watcher;
    private readonly ConditionSignal _routed = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public EndpointSliceWatcherTests()
    {
        _endpoints = new EndpointTable(_time);
        _endpoints.DestinationsChanged += _ => _routed.Notify();
        _endpoints.ConditionsChanged += _ => _routed.Notify();
        _events = new EventWatch(_time);
        _watcher = new EndpointSliceWatcher(Service, _api.Client(), _endpoints, _status, _events.Recorder, new ScriptedProber(_time), _time, T0, observer: null, NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(ConditionSignal.SafetyNet);
        }

        await _watcher.DisposeAsync();
        _stop.Dispose();
        _api.Dispose();
    }

    private IReadOnlyList<Endpoint> Routed => [.. _endpoints.ForService("web").OrderBy(e => e.PodName, StringComparer.Ordinal)];

    private void Start() => _running = _watcher.RunAsync(_stop.Token);

    private Task WaitForRoutedAsync(params string[] pods) =>
        _routed.WaitAsync(() => Routed.Select(e => e.PodName).SequenceEqual(pods), $"endpoints of [{string.Join(", ", pods)}]");

    /// <summary>Waits until the watcher has armed its <paramref name="count"/>th wait on the clock; returns how long that wait is.</summary>
    private async Task<TimeSpan> WaitForPauseAsync(int count)
    {
        await _time.WaitForTimersAsync(count);
        return _time.Timers[count - 1].DueTime;
    }

    [Fact]
    public async Task RunAsync_Listed_RoutesTheSlicesEndpointsWithTheirConditionsThenWatchesFromTheListsVersion()
    {
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a"), Endpoint("10.0.0.2", "shop-b", ready: false, serving: true, terminating: true)));
        _api.Upsert(Slice("other", "other", 9090, Endpoint("10.0.0.9", "other-a")));

        Start();
        await WaitForRoutedAsync("shop-a", "shop-b");
        await _api.WaitForRequestsAsync(2);

        Assert.Equal(
            [
                new Endpoint("web", "shop-a", "web/10.0.0.1:8080", "http://10.0.0.1:8080", Serving: true, Terminating: false),
                new Endpoint("web", "shop-b", "web/10.0.0.2:8080", "http://10.0.0.2:8080", Serving: true, Terminating: true),
            ],
            Routed);
        Assert.Equal(["LIST", "WATCH rv=102"], _api.Requests);
        Assert.All(_api.Queries, q => Assert.Equal("kubernetes.io/service-name=shop", q["labelSelector"]));
        var watch = _api.Queries[1];
        Assert.Equal(("true", "300"), (watch["allowWatchBookmarks"], watch["timeoutSeconds"]));
    }

    [Fact]
    public async Task RunAsync_WatchEvents_AddedModifiedDeletedFollowed()
    {
        Start();
        await _api.WaitForRequestsAsync(2);

        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        _api.Upsert(Slice("shop-b", "shop", 8080, Endpoint("10.0.0.2", "shop-b")));
        await WaitForRoutedAsync("shop-a", "shop-b");

        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a", ready: false, serving: true, terminating: true)));
        await _routed.WaitAsync(() => Routed[0].Terminating, "shop-a terminating");
        Assert.True(Routed[0].Serving);

        _api.Delete("shop-a");
        await WaitForRoutedAsync("shop-b");
        Assert.Equal(["LIST", "WATCH rv=100"], _api.Requests);
    }

    [Fact]
    public async Task RunAsync_WatchCut_ResumesFromTheLastVersionSeenAfterAPauseWithoutListing()
    {
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        Start();
        await _api.WaitForRequestsAsync(2);
        _api.Upsert(Slice("shop-b", "shop", 8080, Endpoint("10.0.0.2", "shop-b")));
        await WaitForRoutedAsync("shop-a", "shop-b");
        _api.Upsert(Slice("other", "other", 9090, Endpoint("10.0.0.9", "other-a")));
        var bookmark = _api.Bookmark();
        _api.CutWatches();

        Assert.Equal(EndpointSliceWatcher.DropPause, await WaitForPauseAsync(1));
        Assert.Equal(2, _api.Requests.Count);
        _time.Advance(EndpointSliceWatcher.DropPause);
        var requests = await _api.WaitForRequestsAsync(3);

        Assert.Equal(["LIST", "WATCH rv=101", $"WATCH rv={bookmark}"], requests);
        Assert.Equal(["shop-a", "shop-b"], Routed.Select(e => e.PodName));
    }

    [Fact]
    public async Task RunAsync_WatchEnds_WatchesAgainAtOnceFromTheLastVersion()
    {
        Start();
        await _api.WaitForRequestsAsync(2);
        var version = _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        await WaitForRoutedAsync("shop-a");

        _api.EndWatches();

        Assert.Equal(["LIST", "WATCH rv=100", $"WATCH rv={version}"], await _api.WaitForRequestsAsync(3));
        Assert.Empty(_time.Timers);
    }

    [Fact]
    public async Task RunAsync_Gone_ListsAgain()
    {
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        Start();
        await _api.WaitForRequestsAsync(2);

        _api.Compact();

        Assert.Equal(["LIST", "WATCH rv=101", "LIST", "WATCH rv=101"], await _api.WaitForRequestsAsync(4));
        Assert.Empty(_time.Timers);
        Assert.Equal(["shop-a"], Routed.Select(e => e.PodName));
    }

    [Fact]
    public async Task RunAsync_ApiServerUnreachable_KeepsTheLastEndpointsSaysSoAndBacksOffUntilItListsAgain()
    {
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        Start();
        await WaitForRoutedAsync("shop-a");
        await _api.WaitForRequestsAsync(2);

        // A bookmark first: the client reads a watch's first line before it hands the stream over.
        _api.Bookmark();
        _api.Unreachable = true;
        _api.CutWatches();
        _time.Advance(await WaitForPauseAsync(1));
        var failed = await _events.WaitForAsync(e => e.Reason == "WatchFailed", "a WatchFailed event");

        const string Problem = "service web: cannot watch the EndpointSlices of Service default/shop: connection refused; routing to the last known 1 endpoint(s)";
        Assert.Equal((EventType.Warning, "Service", "shop"), (failed.Type, failed.Kind, failed.PodName));
        Assert.Equal(Problem, failed.Message);
        Assert.Equal(Problem, _status.Problems["kubernetes/web"]);
        Assert.Equal(["shop-a"], Routed.Select(e => e.PodName));

        // Each failed request waits twice as long as the last before the next, up to 30 s.
        int[] backOff = [1, 2, 4, 8, 16, 30, 30];
        for (var i = 0; i < backOff.Length; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(backOff[i]), await WaitForPauseAsync(i + 2));
            if (i == backOff.Length - 1)
            {
                _api.Unreachable = false;
            }

            _time.Advance(TimeSpan.FromSeconds(backOff[i]));
        }

        await _events.WaitForAsync(e => e.Reason == "WatchResumed", "a WatchResumed event");
        Assert.False(_status.Problems.ContainsKey("kubernetes/web"));
        var requests = await _api.WaitForRequestsAsync(2 + backOff.Length + 2);
        Assert.Equal(["LIST", "WATCH rv=101", "WATCH rv=102", .. Enumerable.Repeat("LIST", backOff.Length), "WATCH rv=102"], requests);
    }

    [Fact]
    public async Task RunAsync_Refused_NamesTheStatusAndTheServersReason()
    {
        _api.Refuse = (HttpStatusCode.Forbidden, "endpointslices.discovery.k8s.io is forbidden");

        Start();
        var failed = await _events.WaitForAsync(e => e.Reason == "WatchFailed", "a WatchFailed event");

        Assert.Equal(
            "service web: cannot watch the EndpointSlices of Service default/shop: 403 Forbidden: endpointslices.discovery.k8s.io is forbidden; routing to the last known 0 endpoint(s)",
            failed.Message);
        Assert.Equal(EndpointSliceWatcher.InitialBackOff, await WaitForPauseAsync(1));
    }

    [Fact]
    public async Task RunAsync_ReadinessProbe_AnEndpointServesOnlyWhileTheSliceAndTheProbeBothSaySo()
    {
        var probe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http" },
            InitialDelaySeconds = 0, PeriodSeconds = 10, TimeoutSeconds = 1, SuccessThreshold = 1, FailureThreshold = 3,
        };
        var prober = new ScriptedProber(_time).Track(probe, "endpoint", ProbeKind.Readiness)
            .Then("endpoint", ProbeKind.Readiness, ProbeOutcome.Failure("HTTP probe failed with statuscode: 503"))
            .Always("endpoint", ProbeKind.Readiness, ProbeOutcome.Success());
        var service = Service with { Backend = new ClusterBackend("default", "shop", "http", probe) };
        await using var watcher = new EndpointSliceWatcher(service, _api.Client(), _endpoints, _status, _events.Recorder, prober, _time, T0.AddHours(-1), observer: null, NullLogger.Instance);
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));

        _running = watcher.RunAsync(_stop.Token);
        await WaitForRoutedAsync("shop-a");

        // Ready in its slice, but not probed yet: readiness starts as failure.
        Assert.False(Routed[0].Serving);
        var first = Assert.Single(await prober.WaitForCallsAsync("endpoint", ProbeKind.Readiness, 1));
        Assert.Equal(("10.0.0.1", 8080), (first.Target.PodIp, first.Target.ResolvePort("http")));
        _time.Advance(TimeSpan.FromSeconds(10));
        await _routed.WaitAsync(() => Routed[0].Serving, "shop-a serving once its probe passed");

        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a", ready: false)));
        await _routed.WaitAsync(() => !Routed[0].Serving, "shop-a not serving once its slice says so");
        _api.Upsert(Slice("shop-a", "shop", 8080, Endpoint("10.0.0.1", "shop-a")));
        await _routed.WaitAsync(() => Routed[0].Serving, "shop-a serving again");
        Assert.Equal(2, prober.Calls("endpoint", ProbeKind.Readiness).Count);
        await _stop.CancelAsync();
        await _running.WaitAsync(ConditionSignal.SafetyNet);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileBackingOff_Returns()
    {
        _api.Unreachable = true;
        Start();
        await WaitForPauseAsync(1);

        await _stop.CancelAsync();

        await _running!.WaitAsync(ConditionSignal.SafetyNet);
        Assert.True(_running.IsCompletedSuccessfully);
    }
}
