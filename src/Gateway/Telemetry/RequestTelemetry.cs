using System.Diagnostics;
using System.Runtime.CompilerServices;
using Gateway.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Telemetry;

/// <summary>
/// Outermost in the proxy pipeline: each proxied request's duration by service and response class,
/// the requests in flight, YARP's forwarding errors, and (when on) its access-log line. The tag
/// lists are built once per service's cluster config, so a request records with no allocation and
/// no lookup but the cluster's own table entry. (ASP.NET Core's and HttpClient's generic
/// instrumentation is not listened to: it cost most of what the gateway added over YARP per request.)
/// </summary>
internal sealed class RequestTelemetry
{
    /// <summary>The response classes, by status / 100 - 1; anything outside 100-599 is "other".</summary>
    private static readonly string[] Classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

    private readonly ConditionalWeakTable<ClusterConfig, ServiceTags> _tags = [];
    private readonly ConditionalWeakTable<ClusterConfig, ServiceTags>.CreateValueCallback _newTags;
    private readonly GatewayMetrics _metrics;
    private readonly AccessLog? _accessLog;

    public RequestTelemetry(GatewayMetrics metrics, AccessLog? accessLog = null, RequestHistory? history = null)
    {
        _metrics = metrics;
        _accessLog = accessLog;
        _newTags = config => new ServiceTags(config.ClusterId, metrics.InFlightOf(config.ClusterId), history?.For(config.ClusterId));
    }

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        var feature = context.GetReverseProxyFeature();
        var tags = _tags.GetValue(feature.Cluster.Config, _newTags);
        tags.InFlight.Started();
        try
        {
            await next();
        }
        finally
        {
            tags.InFlight.Ended();
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = context.Response.StatusCode;
            _metrics.RequestDuration.Record(elapsed.TotalSeconds, tags.ForStatus(status));
            var errorFeature = context.GetForwarderErrorFeature();
            var error = errorFeature?.Error;
            if (error is { } e && e != ForwarderError.None)
            {
                _metrics.ProxyErrors.Add(1, tags.Service[0], new KeyValuePair<string, object?>("error", ErrorName(e)));
            }

            tags.History?.Record(elapsed, AttemptOutcomes.Of(status, errorFeature, timedOut: false).IsFailure());

            _accessLog?.Write(context, feature, tags.Name, status, elapsed, error);
        }
    }

    private static string ErrorName(ForwarderError error) => error switch
    {
        ForwarderError.Request => "request",
        ForwarderError.RequestTimedOut => "request_timed_out",
        ForwarderError.RequestCanceled => "request_canceled",
        ForwarderError.RequestBodyClient => "request_body_client",
        ForwarderError.RequestBodyDestination => "request_body_destination",
        ForwarderError.ResponseBodyClient => "response_body_client",
        ForwarderError.ResponseBodyDestination => "response_body_destination",
        ForwarderError.NoAvailableDestinations => "no_available_destinations",
        _ => error.ToString().ToLowerInvariant(),
    };

    /// <summary>One service's tag lists: the service alone, and with each response class.</summary>
    private sealed class ServiceTags
    {
        private readonly KeyValuePair<string, object?>[][] _byClass;

        public ServiceTags(string service, GatewayMetrics.InFlight inFlight, RequestHistory.Series? history)
        {
            Name = service;
            InFlight = inFlight;
            History = history;
            Service = [new("service", service)];
            _byClass = [.. Classes.Select(c => new KeyValuePair<string, object?>[] { new("service", service), new("class", c) })];
        }

        public string Name { get; }

        public GatewayMetrics.InFlight InFlight { get; }

        /// <summary>The status page's recent history of the service.</summary>
        public RequestHistory.Series? History { get; }

        public KeyValuePair<string, object?>[] Service { get; }

        public ReadOnlySpan<KeyValuePair<string, object?>> ForStatus(int status) => _byClass[status is >= 100 and < 600 ? status / 100 - 1 : 5];
    }
}
