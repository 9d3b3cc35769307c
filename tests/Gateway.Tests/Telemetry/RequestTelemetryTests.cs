using System.Diagnostics.Metrics;
using System.Text.Json;
using Gateway.Routing;
using Gateway.Specs;
using Gateway.Telemetry;
using Gateway.Tests.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Telemetry;

[Collection(GatewayMeterCollection.Name)]
public sealed class RequestTelemetryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly FakeTimeProvider _time = new(T0);
    private readonly EndpointTable _endpoints;
    private readonly ServiceCatalog _catalog;
    private readonly GatewayMetrics _metrics;
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-access-log-").FullName;

    public RequestTelemetryTests()
    {
        _endpoints = new EndpointTable(_time);
        _catalog = new ServiceCatalog(new GatewaySpec("", "", []));
        var factory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new GatewayMetrics(factory, _catalog, new Gateway.Pods.PodRegistry(), _endpoints, new ProbeStatusStore(), new ContainerRestarts(NullLogger<ContainerRestarts>.Instance));

        // Only this test's meter: other tests' meters of the same name are not listened to.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        }
    }

    private List<(double Value, Dictionary<string, object?> Tags)> Measured(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];
        }
    }

    private static DefaultHttpContext Request(string path = "/")
    {
        var context = Proxy.Request(Proxy.Cluster(), []);
        context.Request.Path = path;
        return context;
    }

    [Theory]
    [InlineData(200, "2xx")]
    [InlineData(302, "3xx")]
    [InlineData(404, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(99, "other")]
    public async Task Invoke_Request_RecordsItsDurationByServiceAndResponseClass(int status, string expected)
    {
        var telemetry = new RequestTelemetry(_metrics);
        var context = Request();

        await telemetry.InvokeAsync(context, () =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        var duration = Assert.Single(Measured("gateway.request.duration"));
        Assert.Equal(new Dictionary<string, object?> { ["service"] = "web", ["class"] = expected }, duration.Tags);
        Assert.Empty(Measured("gateway.proxy.errors"));
    }

    [Fact]
    public async Task Invoke_InFlight_CountedActiveUntilItEnds()
    {
        var telemetry = new RequestTelemetry(_metrics);
        List<(double Value, Dictionary<string, object?> Tags)> during = [];
        var release = new TaskCompletionSource();

        var first = telemetry.InvokeAsync(Request(), () => release.Task);
        await telemetry.InvokeAsync(Request(), () =>
        {
            during = Active();
            return Task.CompletedTask;
        });
        var oneLeft = Active();
        release.SetResult();
        await first;

        var inFlight = Assert.Single(during);
        Assert.Equal(2, inFlight.Value);
        Assert.Equal(new Dictionary<string, object?> { ["service"] = "web" }, inFlight.Tags);
        Assert.Equal(1, Assert.Single(oneLeft).Value);
        Assert.Equal(0, Assert.Single(Active()).Value);
    }

    /// <summary>What <c>gateway.requests.active</c> reports when collected now.</summary>
    private List<(double Value, Dictionary<string, object?> Tags)> Active()
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Instrument == "gateway.requests.active");
        }

        _listener.RecordObservableInstruments();
        return Measured("gateway.requests.active");
    }

    [Fact]
    public async Task Invoke_ForwarderError_CountedByServiceAndError()
    {
        var telemetry = new RequestTelemetry(_metrics);
        var context = Request();

        await telemetry.InvokeAsync(context, () =>
        {
            Proxy.Fail(context, new HttpRequestException("refused"));
            context.Response.StatusCode = 502;
            return Task.CompletedTask;
        });

        var error = Assert.Single(Measured("gateway.proxy.errors"));
        Assert.Equal(new Dictionary<string, object?> { ["service"] = "web", ["error"] = "request" }, error.Tags);
    }

    [Fact]
    public async Task AccessLog_On_OneJsonLinePerRequestWithItsServicePodStatusRetriesAndBytes()
    {
        var path = Path.Combine(_dir, "access.log");
        _catalog.Update(_catalog.Current with { AccessLog = path });
        _endpoints.SetServiceEndpoints("web", [new Gateway.Routing.Endpoint("web", "web-abc-1", "web-abc-1/i1", "http://127.0.0.1:31001", Serving: true, Terminating: false)]);
        var log = new AccessLog(_catalog, _endpoints, _time, NullLogger<AccessLog>.Instance);
        var telemetry = new RequestTelemetry(_metrics, log);
        var context = Request("/orders/7");
        context.Features.Set(new RetriedRequest());

        await telemetry.InvokeAsync(context, () =>
        {
            context.GetReverseProxyFeature().ProxiedDestination = new DestinationState("web-abc-1/i1");
            context.Features.Get<RetriedRequest>()!.Retries = 1;
            context.Response.StatusCode = 201;
            context.Response.ContentLength = 11;
            return Task.CompletedTask;
        });
        await log.DisposeAsync(); // the writer drains what was queued

        var line = Assert.Single(File.ReadAllLines(path));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("2026-01-01T12:00:00+00:00", root.GetProperty("time").GetString());
        Assert.Equal(("web", "web-abc-1", "GET", "/orders/7"), (root.GetProperty("service").GetString(), root.GetProperty("pod").GetString(), root.GetProperty("method").GetString(), root.GetProperty("path").GetString()));
        Assert.Equal((201, 1, 11L), (root.GetProperty("status").GetInt32(), root.GetProperty("retries").GetInt32(), root.GetProperty("bytes").GetInt64()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task AccessLog_Off_WritesNothingAndARequestAfterItIsTurnedOnIsLogged()
    {
        var path = Path.Combine(_dir, "later.log");
        var log = new AccessLog(_catalog, _endpoints, _time, NullLogger<AccessLog>.Instance);
        var telemetry = new RequestTelemetry(_metrics, log);
        await telemetry.InvokeAsync(Request("/before"), () => Task.CompletedTask);
        Assert.False(log.Enabled);

        _catalog.Update(_catalog.Current with { AccessLog = path });
        await telemetry.InvokeAsync(Request("/after"), () => Task.CompletedTask);
        await log.DisposeAsync();

        var line = Assert.Single(File.ReadAllLines(path));
        Assert.Contains("\"path\":\"/after\"", line, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
