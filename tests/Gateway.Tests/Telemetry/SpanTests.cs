using Gateway.Specs;
using System.Diagnostics;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Telemetry;

/// <summary>Spans of a probe run and of a proxied request, through an in-process exporter.</summary>
[Collection(GatewayMeterCollection.Name)]
public sealed class SpanTests : IDisposable
{
    private const string TestSource = "Gateway.Tests";
    private readonly List<Activity> _spans = [];
    private readonly TracerProvider _tracer;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public SpanTests()
    {
        _tracer = Sdk.CreateTracerProviderBuilder().AddSource(GatewayTracing.SourceName, TestSource).AddInMemoryExporter(_spans).Build();
    }

    private GatewayMetrics Metrics(EndpointTable endpoints, ProbeStatusStore store) => new(
        _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new Gateway.Specs.ServiceCatalog(new Gateway.Specs.GatewaySpec("", "", [])), new Gateway.Pods.PodRegistry(), endpoints, store,
        new ContainerRestarts(NullLogger<ContainerRestarts>.Instance));

    [Fact]
    public void ProbeRun_Failed_IsASpanWithPodContainerKindHandlerAndResult()
    {
        var store = new ProbeStatusStore();
        var telemetry = new ProbeTelemetry(Metrics(new EndpointTable(new FakeTimeProvider()), store), store, NullLogger<ProbeTelemetry>.Instance);
        var pod = Create("Always", [Container("app")]);

        var subject = new ProbeSubject(pod.Namespace, pod.Name, pod.Uid, pod.ServiceName, "app");
        var activity = telemetry.Started(subject, ProbeKind.Liveness, "httpGet");
        telemetry.Completed(activity, subject, ProbeKind.Liveness, "httpGet", ProbeOutcome.Failure("HTTP probe failed with statuscode: 500"), T0, TimeSpan.FromMilliseconds(4));

        var span = Assert.Single(_spans);
        Assert.Equal("probe liveness", span.DisplayName);
        Assert.Equal("web", span.GetTagItem("gateway.service"));
        Assert.Equal(pod.Name, span.GetTagItem("gateway.pod"));
        Assert.Equal("app", span.GetTagItem("gateway.container"));
        Assert.Equal("liveness", span.GetTagItem("gateway.probe.kind"));
        Assert.Equal("httpGet", span.GetTagItem("gateway.probe.handler"));
        Assert.Equal("failure", span.GetTagItem("gateway.probe.result"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        var last = store.Pods[pod.Name].Last[("app", ProbeKind.Liveness)];
        Assert.Equal("HTTP probe failed with statuscode: 500", last.Output);
    }

    [Fact]
    public async Task ProxiedRequest_RetriedOnAnotherPod_SpanNamesTheServiceThePodAndTheRetry()
    {
        var endpoints = new EndpointTable(new FakeTimeProvider());
        endpoints.OnPodChanged(null, Gateway.Tests.Routing.Endpoints.Running(Gateway.Tests.Routing.Endpoints.Pod("web-a"), "i1"));
        endpoints.OnPodChanged(null, Gateway.Tests.Routing.Endpoints.Running(Gateway.Tests.Routing.Endpoints.Pod("web-b", 31001), "i1"));
        var middleware = new ProxyTracingMiddleware(endpoints);
        var feature = new ProxyFeature();
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(feature);
        using var source = new ActivitySource(TestSource);
        using (var request = source.StartActivity("GET /", ActivityKind.Server))
        {
            // First attempt: web-a refuses the connection; the retry goes to web-b.
            feature.ProxiedDestination = new DestinationState("web-a/i1");
            context.Features.Set<IForwarderErrorFeature>(new ForwarderError(new HttpRequestException("refused")));
            await middleware.InvokeAsync(context, () => Task.CompletedTask);
            context.Features.Set<IForwarderErrorFeature>(null);
            feature.ProxiedDestination = new DestinationState("web-b/i1");
            await middleware.InvokeAsync(context, () => Task.CompletedTask);
        }

        var span = Assert.Single(_spans);
        Assert.Equal("web", span.GetTagItem(ProxyTracingMiddleware.ServiceTag));
        Assert.Equal("web-b", span.GetTagItem(ProxyTracingMiddleware.PodTag));
        Assert.Equal(1, span.GetTagItem(ProxyTracingMiddleware.RetriesTag));
        var failed = Assert.Single(span.Events);
        Assert.Equal(ProxyTracingMiddleware.FailedAttemptEvent, failed.Name);
        Assert.Contains(failed.Tags, t => t.Key == ProxyTracingMiddleware.PodTag && (string?)t.Value == "web-a");
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _services.Dispose();
    }

    private sealed class ForwarderError(Exception exception) : IForwarderErrorFeature
    {
        public Yarp.ReverseProxy.Forwarder.ForwarderError Error => Yarp.ReverseProxy.Forwarder.ForwarderError.Request;

        public Exception? Exception => exception;
    }

    private sealed class ProxyFeature : IReverseProxyFeature
    {
        public RouteModel Route { get; } = new(new RouteConfig { RouteId = "web", ClusterId = "web", Match = new RouteMatch { Path = "/{**catch-all}" } }, null, HttpTransformer.Default);

        public ClusterModel Cluster { get; set; } = null!;

        public IReadOnlyList<DestinationState> AllDestinations { get; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }
}
