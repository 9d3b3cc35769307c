using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Specs;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>Why a pod was ejected.</summary>
public enum OutlierReason
{
    /// <summary>It answered 5xx, or not at all, too many times in a row.</summary>
    Consecutive5xx,

    /// <summary>Connections to it failed, broke or timed out too many times in a row.</summary>
    ConsecutiveGatewayFailures,
}

/// <summary>
/// What one proxied request, or one attempt at a pod, came to: the one rule of what failed, which
/// telemetry (per service and per pod), the dashboard and outlier detection all read
/// (<see cref="AttemptOutcomes.Of"/>).
/// </summary>
public enum AttemptOutcome
{
    /// <summary>An answer below 500: the failure streaks end.</summary>
    Success,

    /// <summary>A 5xx status.</summary>
    Http5xx,

    /// <summary>No whole answer: the connection broke, or the attempt timed out.</summary>
    GatewayFailure,

    /// <summary>The connection was refused: a failure, but fast ejection's to act on, not a streak's.</summary>
    ConnectFailure,

    /// <summary>No pod to try: a failure of the service, nothing about a pod.</summary>
    NoPod,

    /// <summary>The client went away, or broke its side of a body: neither the service's failure nor the pod's.</summary>
    ClientGone,
}

/// <summary>Classifying requests by <see cref="AttemptOutcome"/>.</summary>
public static class AttemptOutcomes
{
    /// <summary>
    /// What a request's end says: a timeout (<paramref name="timedOut"/>), a broken or timed-out
    /// connection are gateway failures, a refused one a connect failure; a client that left (or went
    /// unread) is its own doing; otherwise its status decides.
    /// </summary>
    public static AttemptOutcome Of(int status, IForwarderErrorFeature? error, bool timedOut)
    {
        if (timedOut)
        {
            return AttemptOutcome.GatewayFailure;
        }

        if (error is null || error.Error == ForwarderError.None)
        {
            return status >= StatusCodes.Status500InternalServerError ? AttemptOutcome.Http5xx : AttemptOutcome.Success;
        }

        if (RetryMiddleware.IsConnectFailure(error))
        {
            return AttemptOutcome.ConnectFailure;
        }

        return error.Error switch
        {
            ForwarderError.NoAvailableDestinations => AttemptOutcome.NoPod,
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient => AttemptOutcome.ClientGone,
            _ => AttemptOutcome.GatewayFailure,
        };
    }

    /// <summary>Whether it counts as a failed request (telemetry's error counts): anything but a success or the client's own doing.</summary>
    public static bool IsFailure(this AttemptOutcome outcome) => outcome is not (AttemptOutcome.Success or AttemptOutcome.ClientGone);
}

/// <summary>An outlier ejection that was made: which pod, why, after how many failures, and until when.</summary>
/// <param name="TimesEjected">This pod's ejections in a row, this one included: the ejection lasts that many base times.</param>
public sealed record Ejection(string Service, string PodName, string DestinationId, bool HasPod, OutlierReason Reason, int Failures, TimeSpan Duration,
    DateTimeOffset Until, int TimesEjected)
{
    /// <summary>The metric attribute of <see cref="Reason"/>.</summary>
    public string ReasonName => Reason == OutlierReason.Consecutive5xx ? "consecutive_5xx" : "consecutive_gateway_failures";

    /// <summary>The event message: why, for how long, and when it returns.</summary>
    public string Message =>
        (Reason == OutlierReason.Consecutive5xx ? $"{Failures} consecutive 5xx responses" : $"{Failures} consecutive gateway failures (reset or timeout)")
        + $": out of rotation for {GatewayDuration.Format(Duration)} (ejection {TimesEjected.ToString(CultureInfo.InvariantCulture)}),"
        + $" back at {Until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} if its readiness passes";
}

/// <summary>A pod's past ejections: how many in a row, and when the last one ended.</summary>
public sealed record EjectionHistory(int Times, DateTimeOffset LastUntil);

/// <summary>The decision on one pod whose failure streak reached its threshold: an ejection, or why not.</summary>
public sealed record OutlierDecision(Ejection? Ejection, string? Refused);

/// <summary>
/// Outlier ejection as Envoy's outlier detection does it. <see cref="InFlightRequests"/> reports each
/// attempt's outcome per destination (<see cref="Record"/>, two interlocked counters on the request
/// path); a streak that reaches its threshold asks <see cref="Decide"/>, a pure function, whether and
/// for how long to eject, and the ejection goes through <see cref="EndpointTable.Eject"/> with its
/// end time (its owner re-checks the pod's readiness at once, and it is back at that time if that
/// still passes). <see cref="Ejected"/> tells the event recorder and the metrics why.
/// </summary>
public sealed class OutlierDetection
{
    private readonly EndpointTable _endpoints;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, EjectionHistory> _history = new(StringComparer.Ordinal);

    public OutlierDetection(EndpointTable endpoints, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _endpoints = endpoints;
        _time = time;
        endpoints.DestinationsChanged += _ => Forget();
    }

    /// <summary>Raised after a pod was ejected for its failures.</summary>
    public event Action<Ejection>? Ejected;

    /// <summary>One destination's failure streaks; read and written only with <see cref="Interlocked"/>.</summary>
    public sealed class Streaks
    {
        internal int Consecutive5xx;
        internal int ConsecutiveGatewayFailures;
    }


    /// <summary>
    /// Counts an attempt's outcome in its destination's streaks (a gateway failure counts as a 5xx
    /// too, as the client sees a 502 or 504; a 5xx from the pod ends a gateway-failure streak; a
    /// success ends both) and ejects the destination when a streak reaches its threshold.
    /// </summary>
    public void Record(string destinationId, Streaks streaks, OutlierSpec spec, AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(streaks);
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.Enabled)
        {
            return;
        }

        switch (outcome)
        {
            case AttemptOutcome.Success:
                // Reads first: a success on a healthy pod writes no shared cache line.
                if (Volatile.Read(ref streaks.Consecutive5xx) != 0)
                {
                    Interlocked.Exchange(ref streaks.Consecutive5xx, 0);
                }

                if (Volatile.Read(ref streaks.ConsecutiveGatewayFailures) != 0)
                {
                    Interlocked.Exchange(ref streaks.ConsecutiveGatewayFailures, 0);
                }

                return;
            case AttemptOutcome.Http5xx:
                Interlocked.Exchange(ref streaks.ConsecutiveGatewayFailures, 0);
                Reached(destinationId, streaks, spec, OutlierReason.Consecutive5xx, Interlocked.Increment(ref streaks.Consecutive5xx));
                return;
            case AttemptOutcome.GatewayFailure:
                var gateway = Interlocked.Increment(ref streaks.ConsecutiveGatewayFailures);
                var any = Interlocked.Increment(ref streaks.Consecutive5xx);
                if (!Reached(destinationId, streaks, spec, OutlierReason.ConsecutiveGatewayFailures, gateway))
                {
                    Reached(destinationId, streaks, spec, OutlierReason.Consecutive5xx, any);
                }

                return;
        }
    }

    private bool Reached(string destinationId, Streaks streaks, OutlierSpec spec, OutlierReason reason, int count)
    {
        var threshold = reason == OutlierReason.Consecutive5xx ? spec.Consecutive5xx : spec.ConsecutiveGatewayFailures;
        if (threshold <= 0 || count < threshold || _endpoints.Current.GetValueOrDefault(destinationId) is not { } candidate)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var decision = Decide(candidate, _endpoints.ForService(candidate.Service), spec, reason, count, _history.GetValueOrDefault(candidate.PodName), now);
        if (decision.Ejection is not { } ejection || _endpoints.Eject(destinationId, ejection.Until) is null)
        {
            // Refused (too many ejected, the last ready one) or ejected meanwhile: the next failure asks again.
            return false;
        }

        Interlocked.Exchange(ref streaks.Consecutive5xx, 0);
        Interlocked.Exchange(ref streaks.ConsecutiveGatewayFailures, 0);
        _history[candidate.PodName] = new EjectionHistory(ejection.TimesEjected, ejection.Until);
        Ejected?.Invoke(ejection);
        return true;
    }

    /// <summary>
    /// Whether to eject <paramref name="candidate"/>, whose streak of <paramref name="failures"/>
    /// reached its threshold, and for how long. Refused when it is not in rotation, when it is the
    /// service's last ready endpoint, or when ejecting it would put more than MaxEjectionPercent of the
    /// service's (not terminating) endpoints out at once. It lasts BaseEjectionTime times the pod's
    /// ejections in a row, this one included, up to <see cref="OutlierSpec.MaxEjectionTime"/> (or the
    /// base time, if longer); a pod that stayed in rotation that long since its last ejection starts
    /// again from one.
    /// </summary>
    public static OutlierDecision Decide(Endpoint candidate, IEnumerable<Endpoint> service, OutlierSpec spec, OutlierReason reason, int failures,
        EjectionHistory? history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(spec);
        if (!candidate.Ready)
        {
            return new OutlierDecision(null, "not in rotation");
        }

        var live = service.Where(e => !e.Terminating).ToList();
        if (!live.Exists(e => e.Ready && e.DestinationId != candidate.DestinationId))
        {
            return new OutlierDecision(null, "the service's last ready endpoint");
        }

        var ejectedAfter = live.Count(e => e.Ejected) + 1;
        if (ejectedAfter * 100L > (long)spec.MaxEjectionPercent * live.Count)
        {
            return new OutlierDecision(null, $"{ejectedAfter} of {live.Count} endpoints ejected would exceed MaxEjectionPercent {spec.MaxEjectionPercent}");
        }

        var longest = spec.BaseEjectionTime > OutlierSpec.MaxEjectionTime ? spec.BaseEjectionTime : OutlierSpec.MaxEjectionTime;
        var times = history is { } h && now - h.LastUntil <= longest ? h.Times + 1 : 1;
        var duration = spec.BaseEjectionTime * times;
        if (duration > longest)
        {
            duration = longest;
        }

        return new OutlierDecision(
            new Ejection(candidate.Service, candidate.PodName, candidate.DestinationId, candidate.HasPod, reason, failures, duration, now + duration, times), null);
    }

    /// <summary>Drops the histories of pods that have no endpoint any more.</summary>
    private void Forget()
    {
        var pods = _endpoints.Current.Values.Select(e => e.PodName).ToHashSet(StringComparer.Ordinal);
        foreach (var pod in _history.Keys)
        {
            if (!pods.Contains(pod))
            {
                _history.TryRemove(pod, out _);
            }
        }
    }
}
