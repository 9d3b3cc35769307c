using System.Collections.Concurrent;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>
/// In the proxy pipeline, after load balancing: each proxied request is registered with the
/// destination it was sent to, so that a draining pod's requests still in flight at the drain's
/// deadline (WebSockets, Server-Sent Events, long polls: anything that would hold the pod until
/// SIGKILL) can be closed (<see cref="Close"/>), and the pod's stop signal still comes with its share
/// of the grace. A registration is one cancellation callback, removed when the request ends. Each
/// destination also counts the requests it answered and how many failed (<see cref="Counts"/>:
/// telemetry's per-pod series, which end with the pod), and reports each attempt's outcome to
/// <see cref="OutlierDetection"/>, which keeps its failure streaks with the destination.
/// </summary>
public sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<string, Destination> _byDestination = new(StringComparer.Ordinal);
    private readonly EndpointTable _endpoints;
    private readonly OutlierDetection? _outlier;

    public InFlightRequests(EndpointTable endpoints, OutlierDetection? outlier = null)
    {
        _endpoints = endpoints;
        _outlier = outlier;
        endpoints.DestinationsChanged += _ => Forget();
    }

    internal Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        // Load balancing (or affinity) has narrowed the candidates to the one the forwarder sends to.
        var picked = context.GetReverseProxyFeature().AvailableDestinations;
        if (picked.Count != 1)
        {
            return next();
        }

        var id = picked[0].DestinationId;
        return TrackedAsync(context, next, id, _byDestination.GetOrAdd(id, static _ => new Destination()));
    }

    /// <summary>Per destination still routed, the requests sent to it that ended, and those that failed (<see cref="AttemptOutcomes.IsFailure"/>: not the client's own doing).</summary>
    internal IEnumerable<(string DestinationId, long Requests, long Failed)> Counts() =>
        _byDestination.Select(d => (d.Key, Volatile.Read(ref d.Value.Requests), Volatile.Read(ref d.Value.Failed)));

    /// <summary>Aborts every request in flight to <paramref name="destinationId"/> (its client connection and its request to the pod).</summary>
    internal void Close(string destinationId)
    {
        if (_byDestination.TryRemove(destinationId, out var destination))
        {
            destination.Closing.Cancel();
        }
    }

    private async Task TrackedAsync(HttpContext context, Func<Task> next, string destinationId, Destination destination)
    {
        // An exception out of the forwarder says nothing certain about the pod.
        var outcome = AttemptOutcome.ClientGone;
        var failed = true;
        try
        {
            using var registration = destination.Closing.Token.UnsafeRegister(static c => ((HttpContext)c!).Abort(), context);
            await next();
            outcome = AttemptOutcomes.Of(context.Response.StatusCode, context.GetForwarderErrorFeature(), context.Features.Get<RequestTimeouts.TimedOut>() is not null);
            failed = outcome.IsFailure();
        }
        finally
        {
            Interlocked.Increment(ref destination.Requests);
            if (failed)
            {
                Interlocked.Increment(ref destination.Failed);
            }

            if (_outlier is not null && outcome is AttemptOutcome.Success or AttemptOutcome.Http5xx or AttemptOutcome.GatewayFailure)
            {
                _outlier.Record(destinationId, destination.Streaks, ClusterSettings.Of(context.GetReverseProxyFeature().Cluster.Config).Outlier, outcome);
            }
        }
    }

    /// <summary>Drops the sources of destinations that are gone (a request to one already gone registers for nothing).</summary>
    private void Forget()
    {
        var current = _endpoints.Current;
        foreach (var destination in _byDestination.Keys)
        {
            if (!current.ContainsKey(destination))
            {
                _byDestination.TryRemove(destination, out _);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A source with no timer and no wait handle holds nothing to release; one that is still registered with may be dropped while its requests end.")]
    private sealed class Destination
    {
        public readonly CancellationTokenSource Closing = new();
        public long Requests;
        public long Failed;
        public readonly OutlierDetection.Streaks Streaks = new();
    }
}
