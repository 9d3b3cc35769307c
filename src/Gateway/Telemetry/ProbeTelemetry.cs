using System.Diagnostics;
using Gateway.Pods;
using Gateway.Specs;
using Gateway.Probes;

namespace Gateway.Telemetry;

/// <summary>
/// What a <see cref="Probes.ProbeWorker"/> reports besides its result: a span and a duration per run, the
/// last run for the status page, and a log line when the thresholded result changes.
/// </summary>
internal sealed partial class ProbeTelemetry(GatewayMetrics metrics, ProbeStatusStore store, ILogger<ProbeTelemetry> logger) : IProbeObserver
{
    /// <summary>Starts the span of one probe run; null when nobody listens.</summary>
    public Activity? Started(ProbeSubject subject, ProbeKind kind, string handler)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (!GatewayTracing.Source.HasListeners())
        {
            return null;
        }

        var activity = GatewayTracing.Source.StartActivity(SpanName(kind), ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gateway.service", subject.Service);
            activity.SetTag("gateway.pod", subject.Pod);
            activity.SetTag("gateway.container", subject.Container);
            activity.SetTag("gateway.probe.kind", GatewayMetrics.KindName(kind));
            activity.SetTag("gateway.probe.handler", handler);
        }

        return activity;
    }

    /// <summary>Ends a run: the span's result, the duration histogram, the status store.</summary>
    public void Completed(Activity? run, ProbeSubject subject, ProbeKind kind, string handler, ProbeOutcome outcome, DateTimeOffset at, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var result = outcome.IsError ? "error" : outcome.Result == ProbeResult.Success ? "success" : "failure";
        if (run is not null)
        {
            run.SetTag("gateway.probe.result", result);
            if (result != "success")
            {
                run.SetStatus(ActivityStatusCode.Error, Trim(outcome.Output, 256));
            }

            run.Dispose();
        }

        metrics.RecordProbe(subject.Service, subject.Container, kind, handler, result, duration);
        store.Record(subject, kind, new ProbeStatus(handler, outcome.Result, outcome.IsError, Trim(outcome.Output, 1024), at, duration));
    }

    /// <summary>The thresholded result changed: the state change the pod sees.</summary>
    public void ResultChanged(ProbeSubject subject, ProbeKind kind, ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Log.ResultChanged(logger, subject.Pod, subject.Container, GatewayMetrics.KindName(kind), result);
    }

    /// <summary>An endpoint the gateway only probed is gone: its last runs go too.</summary>
    public void Removed(ProbeSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        store.Forget(subject.Pod);
    }

    /// <summary>The span's name, made once per kind rather than on every run.</summary>
    private static string SpanName(ProbeKind kind) => kind switch
    {
        ProbeKind.Startup => "probe startup",
        ProbeKind.Liveness => "probe liveness",
        _ => "probe readiness",
    };

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
