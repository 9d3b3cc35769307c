using System.Diagnostics;
using Gateway.Pods;
using Gateway.Specs;
using Gateway.Telemetry;
using k8s.Models;

namespace Gateway.Probes;

/// <summary>
/// What a <see cref="ProbeWorker"/> reports besides its result: a span and a duration per run, the
/// last run for the status page, and a log line when the thresholded result changes.
/// </summary>
internal sealed partial class ProbeTelemetry(GatewayMetrics metrics, ProbeStatusStore store, ILogger<ProbeTelemetry> logger)
{
    /// <summary>exec, httpGet, tcpSocket or grpc: the handler the prober picks, in the kubelet's order.</summary>
    public static string HandlerName(V1Probe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return probe.Exec is not null ? "exec" : probe.HttpGet is not null ? "httpGet" : probe.TcpSocket is not null ? "tcpSocket" : probe.Grpc is not null ? "grpc" : "none";
    }

    /// <summary>Starts the span of one probe run; null when nobody listens.</summary>
    public static Activity? StartRun(PodState pod, string container, ProbeKind kind, string handler)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var activity = GatewayTracing.Source.StartActivity($"probe {GatewayMetrics.KindName(kind)}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gateway.service", pod.ServiceName);
            activity.SetTag("gateway.pod", pod.Name);
            activity.SetTag("gateway.container", container);
            activity.SetTag("gateway.probe.kind", GatewayMetrics.KindName(kind));
            activity.SetTag("gateway.probe.handler", handler);
        }

        return activity;
    }

    /// <summary>Ends a run: the span's result, the duration histogram, the status store.</summary>
    public void Completed(Activity? activity, PodState pod, string container, ProbeKind kind, string handler, ProbeOutcome outcome, DateTimeOffset at, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var result = outcome.IsError ? "error" : outcome.Result == ProbeResult.Success ? "success" : "failure";
        if (activity is not null)
        {
            activity.SetTag("gateway.probe.result", result);
            if (result != "success")
            {
                activity.SetStatus(ActivityStatusCode.Error, Trim(outcome.Output, 256));
            }

            activity.Dispose();
        }

        metrics.RecordProbe(pod.ServiceName, container, kind, handler, result, duration);
        store.Record(pod, container, kind, new ProbeStatus(handler, outcome.Result, outcome.IsError, Trim(outcome.Output, 1024), at, duration));
    }

    /// <summary>The thresholded result changed: the state change the pod sees.</summary>
    public void ResultChanged(PodState pod, string container, ProbeKind kind, ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Log.ResultChanged(logger, pod.Name, container, GatewayMetrics.KindName(kind), result);
    }

    private static string Trim(string text, int max)
    {
        text = text.Trim();
        return text.Length <= max ? text : text[..max];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "pod {Pod}: container {Container}: {Kind} probe result is now {Result}")]
        public static partial void ResultChanged(ILogger logger, string pod, string container, string kind, ProbeResult result);
    }
}
