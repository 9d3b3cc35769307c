using System.Net.Http;
using System.Net.Sockets;
using Gateway.Controllers;
using Gateway.Specs;
using Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// In the proxy pipeline, around load balancing and forwarding: a request whose connection to a pod
/// failed before any byte reached it goes to another ready pod, whatever its method; an idempotent
/// request that got a reset before any response byte does too. The failing pod is ejected at once
/// and its readiness probe runs now. Attempts are bounded, and retries in flight are held to a
/// budget (20 % of active requests, at least 3), as Envoy does. A body is replayed only when it was
/// small enough to buffer.
/// </summary>
internal sealed class RetryMiddleware(EndpointTable endpoints, PodManager pods, ServiceCatalog catalog, GatewayMetrics metrics)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var feature = context.GetReverseProxyFeature();
        var service = feature.Route.Config.ClusterId ?? "";
        var settings = catalog.Find(service)?.Retries ?? RetrySpec.Default;
        var budget = _budgets.GetOrAdd(service, static _ => new Budget());
        var request = context.Request;
        var replayable = request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0
            || request.ContentLength <= settings.BufferBytes;
        if (replayable && request.ContentLength > 0)
        {
            request.EnableBuffering(settings.BufferBytes);
        }

        Interlocked.Increment(ref budget.Active);
        var retrying = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                // Load balancing narrows AvailableDestinations to its pick: keep the candidates.
                var candidates = feature.AvailableDestinations;
                await next();
                var error = context.GetForwarderErrorFeature();
                if (error is null || feature.ProxiedDestination is not { } failed)
                {
                    return;
                }

                var connectFailure = IsConnectFailure(error);
                if (connectFailure)
                {
                    // Fast ejection: out of rotation now, back when its readiness probe passes.
                    Eject(failed.DestinationId);
                }

                var retryable = connectFailure || (IsResetBeforeResponse(error) && IsIdempotent(request.Method));
                var remaining = candidates.Where(d => d != failed).ToList();
                if (!retryable || !replayable || attempt >= settings.Attempts || remaining.Count == 0 || context.Response.HasStarted
                    || (!retrying && !await budget.EnterAsync(settings, context.RequestAborted)))
                {
                    return;
                }

                retrying = true;
                metrics.RecordRetry(service, connectFailure ? "connect" : "reset");
                if (request.Body.CanSeek)
                {
                    request.Body.Position = 0;
                }

                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.Clear();
                feature.AvailableDestinations = remaining;
                feature.ProxiedDestination = null;
            }
        }
        finally
        {
            if (retrying)
            {
                Interlocked.Decrement(ref budget.Retrying);
            }

            Interlocked.Decrement(ref budget.Active);
        }
    }

    /// <summary>
    /// Envoy's retry budget for one service: retries in flight against requests in flight. When a pod
    /// dies, every request on its connections fails at the same instant; rather than fail those over
    /// the budget, a retry waits a moment for a slot (retries to healthy pods take milliseconds), so
    /// the budget still bounds the extra load while a burst of resets is absorbed.
    /// </summary>
    private sealed class Budget
    {
        private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(5);

        public int Active;
        public int Retrying;

        public async ValueTask<bool> EnterAsync(RetrySpec settings, CancellationToken aborted)
        {
            for (var waited = TimeSpan.Zero; ; waited += WaitStep)
            {
                if (TryEnter(settings))
                {
                    return true;
                }

                if (waited >= MaxWait || aborted.IsCancellationRequested)
                {
                    return false;
                }

                await Task.Delay(WaitStep, CancellationToken.None);
            }
        }

        private bool TryEnter(RetrySpec settings)
        {
            var allowed = Math.Max(settings.MinConcurrent, (int)(Volatile.Read(ref Active) * settings.BudgetPercent / 100));
            if (Interlocked.Increment(ref Retrying) <= allowed)
            {
                return true;
            }

            Interlocked.Decrement(ref Retrying);
            return false;
        }
    }

    private void Eject(string destinationId)
    {
        if (endpoints.Eject(destinationId) is { } endpoint)
        {
            pods.Find(endpoint.PodName)?.RecheckReadiness();
        }
    }

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    /// <summary>The connection was never made: no byte of the request reached the pod.</summary>
    internal static bool IsConnectFailure(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request && Find<HttpRequestException>(error.Exception) is { HttpRequestError: HttpRequestError.ConnectionError };

    /// <summary>The connection broke before any response byte came back.</summary>
    internal static bool IsResetBeforeResponse(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.Request
        && (Find<HttpRequestException>(error.Exception) is { HttpRequestError: HttpRequestError.ResponseEnded }
            || Find<SocketException>(error.Exception) is { SocketErrorCode: SocketError.ConnectionReset });

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
