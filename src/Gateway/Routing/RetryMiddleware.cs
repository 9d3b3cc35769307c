using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>
/// In the proxy pipeline, around load balancing and forwarding: a request whose connection to a pod
/// failed before any byte reached it goes to another ready pod, whatever its method; an idempotent
/// request that got a reset before any response byte does too. The failing endpoint is ejected at
/// once (<see cref="EndpointTable.Eject"/>: its owner hears of it and re-checks its readiness).
/// Attempts are bounded, and retries in flight are held to a budget (see <see cref="RetryBudget"/>:
/// 20 % of active requests, at least 3, a dying pod's burst counting once). A body is replayed only
/// when it was small enough to buffer. The settings come with the request's cluster
/// (<see cref="ClusterSettings"/>).
/// </summary>
internal sealed class RetryMiddleware(EndpointTable endpoints, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RetryBudget> _budgets = new(StringComparer.Ordinal);

    /// <summary>A request is sent again, with its service and why (<c>connect</c> or <c>reset</c>): telemetry counts it.</summary>
    public event Action<string, string>? Retried;

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var feature = context.GetReverseProxyFeature();
        var service = feature.Route.Config.ClusterId ?? "";
        var settings = ClusterSettings.Of(feature.Cluster.Config).Retries;
        var budget = _budgets.GetOrAdd(service, static (_, time) => new RetryBudget(time), time);
        var request = context.Request;
        // No body at all (HTTP/1.1 without Content-Length or Transfer-Encoding; HTTP/2 whose headers
        // ended the stream), or one small enough to buffer. An HTTP/2 body of unknown length (a gRPC
        // stream) has neither header and is not replayable.
        var bodyDetection = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>();
        var noBody = bodyDetection?.CanHaveBody == false
            || bodyDetection is null && request.ContentLength is null && request.Headers.TransferEncoding.Count == 0;
        var replayable = noBody || request.ContentLength <= settings.BufferBytes;
        if (replayable && request.ContentLength > 0)
        {
            request.EnableBuffering(settings.BufferBytes);
        }

        budget.RequestStarted();

        // The destination whose failure burst this request's retries count in, once they have a slot.
        string? burst = null;
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
                    endpoints.Eject(failed.DestinationId);
                }

                var retryable = connectFailure || (IsResetBeforeResponse(error) && IsIdempotent(request.Method));
                var remaining = ReadyDestinations.Except(candidates, failed);
                if (!retryable || !replayable || attempt >= settings.Attempts || remaining.Count == 0 || context.Response.HasStarted
                    || (burst is null && !await budget.EnterAsync(failed.DestinationId, settings, context.RequestAborted)))
                {
                    return;
                }

                burst ??= failed.DestinationId;
                Retried?.Invoke(service, connectFailure ? "connect" : "reset");
                var retried = context.Features.Get<RetriedRequest>() ?? new RetriedRequest();
                retried.Retries++;
                context.Features.Set(retried);
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
            if (burst is not null)
            {
                budget.Leave(burst);
            }

            budget.RequestEnded();
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
