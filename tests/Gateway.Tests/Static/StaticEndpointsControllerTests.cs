using System.Collections.Concurrent;
using Gateway.Events;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;
using Gateway.Static;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Static;

public sealed class StaticEndpointsControllerTests : IAsyncDisposable
{
    private static readonly Uri A = new("http://127.0.0.1:5001");
    private static readonly Uri B = new("http://127.0.0.1:5002");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConditionSignal _changed = new();
    private readonly AddressProber _prober;
    private readonly EndpointTable _table;
    private readonly EventRecorder _events;
    private ServiceCatalog _catalog = null!;
    private StaticEndpointsController _controller = null!;

    public StaticEndpointsControllerTests()
    {
        _prober = new AddressProber(_changed);
        _table = new EndpointTable(_time);
        _table.DestinationsChanged += _ => _changed.Notify();
        _table.ConditionsChanged += _ => _changed.Notify();
        _events = new EventRecorder(_time, NullLogger<EventRecorder>.Instance);
    }

    private static V1Probe Probe() => new()
    {
        HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = StaticBackend.PortName, Scheme = "HTTP" },
        PeriodSeconds = 1, TimeoutSeconds = 1, SuccessThreshold = 1, FailureThreshold = 1, InitialDelaySeconds = 0,
    };

    private static ServiceSpec Web(V1Probe? probe, params Uri[] addresses) => new()
    {
        Name = "web",
        Route = new RouteSpec("/", []),
        Backend = new StaticBackend(addresses, probe),
        ConfigDirectory = "/",
    };

    private async Task StartAsync(ServiceSpec service)
    {
        _catalog = new ServiceCatalog(new GatewaySpec("", "", [service]));
        _controller = new StaticEndpointsController(_catalog, _table, _events, _prober, _time);
        await _controller.StartAsync(CancellationToken.None);
    }

    private Dictionary<string, Endpoint> Endpoints() => _table.ForService("web").ToDictionary(e => e.PodName, StringComparer.Ordinal);

    private Task WaitAsync(Func<Dictionary<string, Endpoint>, bool> condition, string what) => _changed.WaitAsync(() => condition(Endpoints()), what);

    /// <summary>Advances the clock a probe period at a time until <paramref name="condition"/> holds (each tick runs the probes).</summary>
    private async Task TickUntilAsync(Func<Dictionary<string, Endpoint>, bool> condition, string what)
    {
        for (var tick = 0; tick < 10 && !condition(Endpoints()); tick++)
        {
            var calls = _prober.Calls;
            _time.Advance(TimeSpan.FromSeconds(1));
            await _changed.WaitAsync(() => _prober.Calls > calls || condition(Endpoints()), $"a probe run toward {what}");
        }

        await WaitAsync(condition, what);
    }

    [Fact]
    public async Task Start_NoProbe_EveryAddressServingAtOnce()
    {
        await StartAsync(Web(null, A, B));

        await WaitAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");
        Assert.Equal(["http://127.0.0.1:5001", "http://127.0.0.1:5002"], Endpoints().Values.Select(e => e.Address).Order(StringComparer.Ordinal));
        Assert.Equal(0, _prober.Calls);
    }

    [Fact]
    public async Task Start_WithProbe_AddressesNotReadyUntilTheirProbePasses()
    {
        _prober.Set(B, ProbeOutcome.Failure("HTTP probe failed with statuscode: 503"));
        await StartAsync(Web(Probe(), A, B));

        await WaitAsync(e => e.Count == 2, "both listed");
        Assert.All(Endpoints().Values, e => Assert.False(e.Serving)); // readiness starts at failure
        // b's first failure is recorded before its second run begins.
        await TickUntilAsync(e => e["127.0.0.1:5001"].Ready && _prober.CallsTo(B) >= 2, "a ready and b probed twice");

        Assert.False(Endpoints()["127.0.0.1:5002"].Serving);
        Assert.Contains(_events.Snapshot, e => e.Kind == "Endpoint" && e.PodName == "127.0.0.1:5002" && e.Reason == "Unhealthy"
            && e.Message == "Readiness probe failed: HTTP probe failed with statuscode: 503" && e.FieldPath is null);
    }

    [Fact]
    public async Task Probe_IPv4AndIPv6Addresses_ProbedAtTheAddressHostWithoutBrackets()
    {
        var v6 = new Uri("http://[::1]:5003");
        await StartAsync(Web(Probe(), A, v6));

        await TickUntilAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");

        Assert.Equal("127.0.0.1", _prober.Hosts[5001]);
        Assert.Equal("::1", _prober.Hosts[5003]);
        Assert.Equal("http://[::1]:5003", Endpoints()["[::1]:5003"].Address);
    }

    [Fact]
    public async Task Probe_FailsAfterPassing_AddressLeavesRotationAndComesBack()
    {
        await StartAsync(Web(Probe(), A, B));
        await TickUntilAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");

        _prober.Set(A, ProbeOutcome.Failure("connection refused"));
        await TickUntilAsync(e => !e["127.0.0.1:5001"].Serving, "a out");
        Assert.True(Endpoints()["127.0.0.1:5002"].Ready);

        _prober.Set(A, ProbeOutcome.Success());
        await TickUntilAsync(e => e["127.0.0.1:5001"].Ready, "a back");
    }

    [Fact]
    public async Task Recheck_ReadyAddress_NotServingAtOnceAndProbedWithoutWaitingForATick()
    {
        await StartAsync(Web(Probe(), A, B));
        await TickUntilAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");
        _prober.Set(A, ProbeOutcome.Failure("connection refused"));
        var calls = _prober.CallsTo(A);

        _controller.Recheck("web", "127.0.0.1:5001");

        await WaitAsync(e => !e["127.0.0.1:5001"].Serving, "a out after the recheck");
        await _changed.WaitAsync(() => _prober.CallsTo(A) > calls, "a probed at once");
    }

    [Fact]
    public async Task Reload_AddressRemoved_LeavesRoutingAndIsProbedNoMore()
    {
        await StartAsync(Web(Probe(), A, B));
        await TickUntilAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");

        _catalog.Update(_catalog.Current with { Services = [Web(Probe(), B)] });
        await WaitAsync(e => e.Count == 1 && e.ContainsKey("127.0.0.1:5002"), "only b");
        var toA = _prober.CallsTo(A);
        var toB = _prober.CallsTo(B);
        for (var tick = 0; tick < 3; tick++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _changed.WaitAsync(() => _prober.CallsTo(B) > toB + tick, "b probed on the next tick");
        }

        // b was probed three more times meanwhile: a had its chances.
        Assert.Equal(toA, _prober.CallsTo(A));
    }

    [Fact]
    public async Task Reload_SameSettingsRead_AgainKeepEveryAddressReady()
    {
        await StartAsync(Web(Probe(), A, B));
        await TickUntilAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");
        var notReady = 0;
        _table.ConditionsChanged += _ => notReady += Endpoints().Values.Count(e => !e.Ready);
        _table.DestinationsChanged += _ => notReady += 1;

        _catalog.Update(_catalog.Current with { Services = [Web(Probe(), A, B)] }); // a new, equal probe, as a reload reads it
        var calls = _prober.Calls;
        _time.Advance(TimeSpan.FromSeconds(1));
        await _changed.WaitAsync(() => _prober.Calls >= calls + 2, "both probed after the reload");

        Assert.Equal(0, notReady);
    }

    [Fact]
    public async Task Reload_ServiceRemoved_EndpointsGone()
    {
        await StartAsync(Web(null, A, B));
        await WaitAsync(e => e.Count == 2, "both listed");

        _catalog.Update(_catalog.Current with { Services = [] });

        await WaitAsync(e => e.Count == 0, "none");
    }

    [Fact]
    public async Task Reload_ProbeAdded_EveryAddressStartsOverFromNotReady()
    {
        await StartAsync(Web(null, A, B));
        await WaitAsync(e => e.Count == 2 && e.Values.All(x => x.Ready), "both ready");

        _catalog.Update(_catalog.Current with { Services = [Web(Probe(), A, B)] });

        await WaitAsync(e => e.Count == 2 && e.Values.All(x => !x.Serving), "both waiting for their probe");
        await TickUntilAsync(e => e.Values.All(x => x.Ready), "both ready by their probe");
    }

    public async ValueTask DisposeAsync()
    {
        if (_controller is not null)
        {
            await _controller.StopAsync(CancellationToken.None);
            _controller.Dispose();
        }
    }

    /// <summary>A prober whose outcome the test sets per address (success unless set); counts runs per address.</summary>
    private sealed class AddressProber(ConditionSignal changed) : IProber
    {
        private readonly ConcurrentDictionary<int, ProbeOutcome> _outcomes = new();
        private readonly ConcurrentDictionary<int, int> _calls = new();

        public int Calls => _calls.Values.Sum();

        /// <summary>The host each port was last probed at.</summary>
        public ConcurrentDictionary<int, string> Hosts { get; } = new();

        public int CallsTo(Uri address) => _calls.GetValueOrDefault(address.Port);

        public void Set(Uri address, ProbeOutcome outcome) => _outcomes[address.Port] = outcome;

        public Task<ProbeOutcome> ProbeAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
        {
            var port = target.ResolvePort(StaticBackend.PortName)!.Value;
            Hosts[port] = target.PodIp;
            _calls.AddOrUpdate(port, 1, (_, n) => n + 1);
            changed.Notify();
            return Task.FromResult(_outcomes.GetValueOrDefault(port, ProbeOutcome.Success()));
        }
    }
}
