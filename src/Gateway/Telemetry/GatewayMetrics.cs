using System.Diagnostics.Metrics;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Specs;

namespace Gateway.Telemetry;

/// <summary>
/// The gateway's own instruments, on the <c>Gateway</c> meter. Attribute sets stay bounded as pods
/// come and go: a pod name is an attribute only of observable instruments, which read state the
/// gateway drops with the pod (the registry, <see cref="ProbeStatusStore"/>, <see cref="ContainerRestarts"/>),
/// so a removed pod's series end. The synchronous instruments (histograms, retries) carry service
/// and container names only: with cumulative temporality, which Prometheus needs, the SDK keeps a
/// series it has seen for the life of the process.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    /// <summary>Probe runs last milliseconds to a timeout of a few seconds.</summary>
    private static readonly double[] ProbeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Drains last from nothing to a grace period of minutes.</summary>
    private static readonly double[] DrainBuckets = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private static readonly string[] Phases = [.. Enum.GetNames<PodPhase>()];

    /// <summary>Proxied requests last from a millisecond to the minutes of a long poll (ASP.NET Core's own boundaries, in seconds).</summary>
    private static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly Counter<long> _retries;
    private readonly Counter<long> _ejections;
    private readonly Histogram<double> _probeDuration;
    private readonly Histogram<double> _drainDuration;

    public GatewayMetrics(IMeterFactory meterFactory, ServiceCatalog catalog, PodRegistry registry, EndpointTable endpoints, ProbeStatusStore probes, ContainerRestarts restarts,
        InFlightRequests? inFlight = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _retries = meter.CreateCounter<long>("gateway.proxy.retries", unit: "{retry}", description: "Requests sent again to another pod after a connection failure or reset.");
        _ejections = meter.CreateCounter<long>("gateway.pod.ejections", unit: "{ejection}",
            description: "Pods taken out of rotation for failing in a row, by service and reason (consecutive_5xx, consecutive_gateway_failures).");
        _probeDuration = meter.CreateHistogram("gateway.probe.duration", unit: "s", description: "How long probe runs took, by service, container, probe kind, handler and result.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ProbeBuckets });
        _drainDuration = meter.CreateHistogram("gateway.drain.duration", unit: "s", description: "How long terminating pods took to finish their in-flight requests.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DrainBuckets });
        RequestDuration = meter.CreateHistogram("gateway.request.duration", unit: "s",
            description: "Proxied requests by service and response class (2xx, 3xx, 4xx, 5xx): how long they took, and by their count how many there were.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        meter.CreateObservableUpDownCounter("gateway.requests.active", () => _inFlight.Values.Select(f => f.Measure()), unit: "{request}", description: "Proxied requests in flight, by service.");
        ProxyErrors = meter.CreateCounter<long>("gateway.proxy.errors", unit: "{request}", description: "Proxied requests YARP could not complete, by service and error (its ForwarderError).");
        if (inFlight is not null)
        {
            meter.CreateObservableCounter("gateway.pod.requests", () => PodRequests(endpoints, inFlight, failed: false), unit: "{request}",
                description: "Proxied requests by the service and pod (or static address) that answered them; the series ends with the pod.");
            meter.CreateObservableCounter("gateway.pod.request.failures", () => PodRequests(endpoints, inFlight, failed: true), unit: "{request}",
                description: "Proxied requests a pod answered with a 5xx status or not at all (the connection failed or broke), by service and pod.");
        }

        meter.CreateObservableCounter("gateway.probe.results", () => ProbeResults(probes), unit: "{probe}", description: "Probe runs by pod, container, probe kind, handler and result (success, failure, error).");
        meter.CreateObservableCounter("gateway.container.restarts", () => Restarts(restarts), unit: "{restart}", description: "Container restarts by pod, container and the previous instance's termination reason.");
        meter.CreateObservableGauge("gateway.pods", () => Pods(catalog, registry), unit: "{pod}", description: "Pods by service and phase.");
        meter.CreateObservableGauge("gateway.endpoints", () => Endpoints(catalog, endpoints), unit: "{endpoint}", description: "Endpoints by service and condition (ready, serving, terminating).");
    }

    /// <summary>Recorded by <see cref="RequestTelemetry"/> with tag lists it builds once per service.</summary>
    internal Histogram<double> RequestDuration { get; }

    /// <summary>
    /// One service's requests in flight, counted by <see cref="RequestTelemetry"/> and read when
    /// <c>gateway.requests.active</c> is collected: two interlocked adds a request instead of two
    /// measurements through the SDK's aggregation.
    /// </summary>
    internal InFlight InFlightOf(string service) => _inFlight.GetOrAdd(service, static s => new InFlight(s));

    internal Counter<long> ProxyErrors { get; }

    public void RecordRetry(string service, string reason) =>
        _retries.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("reason", reason));

    public void RecordEjection(Ejection ejection)
    {
        ArgumentNullException.ThrowIfNull(ejection);
        _ejections.Add(1, new KeyValuePair<string, object?>("service", ejection.Service), new KeyValuePair<string, object?>("reason", ejection.ReasonName));
    }

    public void RecordProbe(string service, string container, ProbeKind kind, string handler, string result, TimeSpan duration) =>
        _probeDuration.Record(duration.TotalSeconds, [
            new("service", service), new("container", container), new("kind", KindName(kind)), new("handler", handler), new("result", result)]);

    public void RecordDrain(string service, TimeSpan duration) =>
        _drainDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("service", service));

    /// <summary>The attribute value of a probe kind: startup, liveness, readiness.</summary>
    public static string KindName(ProbeKind kind) => kind switch
    {
        ProbeKind.Startup => "startup",
        ProbeKind.Liveness => "liveness",
        _ => "readiness",
    };

    private static IEnumerable<Measurement<long>> ProbeResults(ProbeStatusStore probes) =>
        from pod in probes.Pods
        from run in pod.Value.Runs
        select new Measurement<long>(run.Value, [
            new("service", pod.Value.Service), new("pod", pod.Key), new("container", run.Key.Container),
            new("kind", KindName(run.Key.Kind)), new("handler", run.Key.Handler), new("result", run.Key.Result)]);

    private static IEnumerable<Measurement<long>> PodRequests(EndpointTable endpoints, InFlightRequests inFlight, bool failed)
    {
        var current = endpoints.Current;
        foreach (var (destination, requests, failures) in inFlight.Counts())
        {
            if (current.TryGetValue(destination, out var endpoint))
            {
                yield return new Measurement<long>(failed ? failures : requests, [new("service", endpoint.Service), new("pod", endpoint.PodName)]);
            }
        }
    }

    private static IEnumerable<Measurement<long>> Restarts(ContainerRestarts restarts) =>
        restarts.Counts.Select(c => new Measurement<long>(c.Value, [
            new("service", c.Key.Service), new("pod", c.Key.Pod), new("container", c.Key.Container), new("reason", c.Key.Reason)]));

    // Every configured service has its series, zeros included, so that "no ready endpoint" can be alerted on.
    private static IEnumerable<Measurement<int>> Pods(ServiceCatalog catalog, PodRegistry registry)
    {
        var pods = registry.Pods.Values;
        return from service in catalog.Current.Services.Select(s => s.Name).Union(pods.Select(p => p.ServiceName), StringComparer.Ordinal)
               from phase in Phases
               select new Measurement<int>(pods.Count(p => p.ServiceName == service && p.Phase.ToString() == phase), [new("service", service), new("phase", phase)]);
    }

    private static IEnumerable<Measurement<int>> Endpoints(ServiceCatalog catalog, EndpointTable endpoints)
    {
        var all = endpoints.Current.Values;
        return from service in catalog.Current.Services.Select(s => s.Name).Union(all.Select(e => e.Service), StringComparer.Ordinal)
               let mine = all.Where(e => e.Service == service).ToList()
               from measurement in new[]
               {
                   new Measurement<int>(mine.Count(e => e.Ready), [new("service", service), new("condition", "ready")]),
                   new Measurement<int>(mine.Count(e => e.Serving), [new("service", service), new("condition", "serving")]),
                   new Measurement<int>(mine.Count(e => e.Terminating), [new("service", service), new("condition", "terminating")]),
               }
               select measurement;
    }

    /// <summary>A service's in-flight count and its tag.</summary>
    internal sealed class InFlight(string service)
    {
        private readonly KeyValuePair<string, object?>[] _tags = [new("service", service)];
        private long _count;

        public void Started() => Interlocked.Increment(ref _count);

        public void Ended() => Interlocked.Decrement(ref _count);

        public Measurement<long> Measure() => new(Volatile.Read(ref _count), _tags);
    }
}
