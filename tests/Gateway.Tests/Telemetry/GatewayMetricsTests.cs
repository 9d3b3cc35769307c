using Gateway.Specs;
using System.Diagnostics.Metrics;
using Gateway.Pods;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Telemetry;

[Collection(GatewayMeterCollection.Name)]
public sealed class GatewayMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<Metric> _exported = [];
    private readonly MeterProvider _provider;
    private readonly PodRegistry _registry = new();
    private readonly ProbeStatusStore _probes = new();
    private readonly ContainerRestarts _restarts = new(NullLogger<ContainerRestarts>.Instance);
    private readonly GatewayMetrics _metrics;

    public GatewayMetricsTests()
    {
        _provider = Sdk.CreateMeterProviderBuilder().AddMeter(GatewayMetrics.MeterName).AddInMemoryExporter(_exported).Build();
        var endpoints = new EndpointTable(new FakeTimeProvider());
        _registry.Changed += endpoints.OnPodChanged;
        _registry.Changed += _probes.OnPodChanged;
        _registry.Changed += _restarts.OnPodChanged;
        var idle = new Gateway.Specs.ServiceSpec
        {
            Name = "idle", Route = new Gateway.Specs.RouteSpec("/", []), Backend = new Gateway.Specs.StaticBackend([new Uri("http://127.0.0.1:1")], null),
            ConfigDirectory = "/",
        };
        _metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), new Gateway.Specs.ServiceCatalog(new Gateway.Specs.GatewaySpec("", "", [idle])), _registry, endpoints, _probes, _restarts);
    }

    private static PodState Restarted(PodState pod, int instances, string reason) => pod.With(pod.Containers[0] with
    {
        State = ContainerRunState.Running,
        InstanceId = $"i{instances}",
        InstancesStarted = instances,
        LastTermination = new Termination(1, reason, null, T0, T0, $"i{instances - 1}"),
    });

    /// <summary>The series of one instrument in a fresh collection: attribute "pod" (or "") -> value.</summary>
    private List<(Dictionary<string, object?> Tags, double Value)> Collect(string instrument)
    {
        _exported.Clear();
        _provider.ForceFlush();
        var points = new List<(Dictionary<string, object?>, double)>();
        foreach (var metric in _exported.Where(m => m.Name == instrument))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                var value = metric.MetricType switch
                {
                    MetricType.LongSum => point.GetSumLong(),
                    MetricType.LongGauge => point.GetGaugeLastValueLong(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => double.NaN,
                };
                points.Add((tags, value));
            }
        }

        return points;
    }

    [Fact]
    public void Endpoints_ConfiguredServiceWithNoPod_ReportsZeros()
    {
        var series = Collect("gateway.endpoints").Where(p => Equals(p.Tags["service"], "idle")).ToList();

        Assert.Equal(["ready", "serving", "terminating"], series.Select(p => (string)p.Tags["condition"]!).Order());
        Assert.All(series, p => Assert.Equal(0, p.Value));
        Assert.Contains(Collect("gateway.pods"), p => Equals(p.Tags["service"], "idle") && Equals(p.Tags["phase"], "Running") && p.Value == 0);
    }

    [Fact]
    public void ContainerRestarts_RestartedPod_CountsByReasonAndEndsWithThePod()
    {
        var pod = Create("Always", [Container("app")]);
        _registry.Set(Restarted(pod, 1, "Error") with { Phase = PodPhase.Running });
        _registry.Set(Restarted(pod, 2, "Error") with { Phase = PodPhase.Running });
        _registry.Set(Restarted(pod, 3, "OOMKilled") with { Phase = PodPhase.Running });

        var series = Collect("gateway.container.restarts");
        Assert.Equal(2, series.Count);
        Assert.Equal(1, series.Single(s => (string?)s.Tags["reason"] == "Error").Value);
        Assert.Equal(1, series.Single(s => (string?)s.Tags["reason"] == "OOMKilled").Value);
        Assert.All(series, s => Assert.Equal(pod.Name, s.Tags["pod"]));
        Assert.Contains(Collect("gateway.pods"), s => (string?)s.Tags["phase"] == "Running" && s.Value == 1);

        _registry.Remove(pod.Name);

        Assert.Empty(Collect("gateway.container.restarts"));
        Assert.DoesNotContain(Collect("gateway.pods"), s => (string?)s.Tags["service"] == pod.ServiceName);
    }

    [Fact]
    public void ProbeResults_PodRemoved_ItsSeriesGoWhileTheDurationHistogramHasNoPod()
    {
        var pod = Create("Always", [Container("app")]);
        _registry.Set(pod);
        var run = new ProbeStatus("httpGet", ProbeResult.Success, false, "ok", T0, TimeSpan.FromMilliseconds(3));
        _probes.Record(new ProbeSubject(pod.Namespace, pod.Name, pod.Uid, pod.ServiceName, "app"), ProbeKind.Readiness, run);
        _probes.Record(new ProbeSubject(pod.Namespace, pod.Name, pod.Uid, pod.ServiceName, "app"), ProbeKind.Readiness, run);
        _metrics.RecordProbe(pod.ServiceName, "app", ProbeKind.Readiness, "httpGet", "success", run.Duration);

        var results = Assert.Single(Collect("gateway.probe.results"));
        Assert.Equal(2, results.Value);
        Assert.Equal("readiness", results.Tags["kind"]);
        Assert.Equal("success", results.Tags["result"]);
        var duration = Assert.Single(Collect("gateway.probe.duration"));
        Assert.False(duration.Tags.ContainsKey("pod"));

        _registry.Remove(pod.Name);

        Assert.Empty(Collect("gateway.probe.results"));
        Assert.Empty(_probes.Pods);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _services.Dispose();
    }
}
