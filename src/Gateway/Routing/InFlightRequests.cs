using System.Collections.Concurrent;

namespace Gateway.Routing;

/// <summary>
/// In the proxy pipeline, after load balancing: each proxied request is registered with the
/// destination it was sent to, so that a draining pod's requests still in flight at the drain's
/// deadline (WebSockets, Server-Sent Events, long polls: anything that would hold the pod until
/// SIGKILL) can be closed (<see cref="Close"/>), and the pod's stop signal still comes with its share
/// of the grace. A registration is one cancellation callback, removed when the request ends.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _byDestination = new(StringComparer.Ordinal);
    private readonly EndpointTable _endpoints;

    public InFlightRequests(EndpointTable endpoints)
    {
        _endpoints = endpoints;
        endpoints.DestinationsChanged += _ => Forget();
    }

    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        // Load balancing (or affinity) has narrowed the candidates to the one the forwarder sends to.
        var picked = context.GetReverseProxyFeature().AvailableDestinations;
        if (picked.Count != 1)
        {
            return next();
        }

        var closing = _byDestination.GetOrAdd(picked[0].DestinationId, static _ => new CancellationTokenSource()).Token;
        return TrackedAsync(context, next, closing);
    }

    /// <summary>Aborts every request in flight to <paramref name="destinationId"/> (its client connection and its request to the pod).</summary>
    public void Close(string destinationId)
    {
        if (_byDestination.TryRemove(destinationId, out var closing))
        {
            closing.Cancel();
        }
    }

    private static async Task TrackedAsync(HttpContext context, Func<Task> next, CancellationToken closing)
    {
        using var registration = closing.UnsafeRegister(static c => ((HttpContext)c!).Abort(), context);
        await next();
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
}
