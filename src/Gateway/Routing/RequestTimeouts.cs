using Gateway.Specs;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// A service's <c>Timeouts</c> on the request path, in two steps of the proxy pipeline:
/// <see cref="InvokeAsync"/> around everything (the <c>Request</c> timeout, retries included) and
/// <see cref="InvokeAttemptAsync"/> around each attempt at a pod, after load balancing
/// (<c>BackendRequest</c>). Each bounds the request by replacing <see cref="HttpContext.RequestAborted"/>,
/// which YARP's forwarder follows, with a token that also ends at the deadline, and puts the
/// client's back afterwards. A timed-out request that has no response yet is answered 504 with a
/// body that names the service, the pod and the timeout (a gRPC call: <c>DEADLINE_EXCEEDED</c>);
/// one whose response had started is cut off. Long-lived requests (WebSocket upgrades, Server-Sent
/// Events, gRPC calls, which carry deadlines of their own) get no request timeout by default, only
/// one the service sets; a response that turns out to be an event stream ends the default one too. Idle and Connect are the forwarder client's (<see cref="ClusterSettings"/>).
/// </summary>
internal sealed class RequestTimeouts(TimeProvider time)
{
    /// <summary>The request timeout step: outermost but for telemetry, so that retries run within it.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var timeouts = ClusterSettings.Of(proxy.Cluster.Config).Timeouts;
        if (timeouts.RequestFor(IsLongLived(context)) is not { } limit)
        {
            await next();
            return;
        }

        var timedOut = await WithDeadlineAsync(context, limit, next, endsForEventStreams: !timeouts.RequestSet);
        var attempt = context.Features.Get<TimedOut>();
        if (attempt is not null || timedOut)
        {
            await AnswerAsync(context, proxy, attempt ?? new TimedOut("Request", limit));
        }
    }

    /// <summary>The per-attempt step (<c>BackendRequest</c>), right before the forwarder.</summary>
    public async Task InvokeAttemptAsync(HttpContext context, Func<Task> next)
    {
        var timeouts = ClusterSettings.Of(context.GetReverseProxyFeature().Cluster.Config).Timeouts;
        if (timeouts.BackendRequest is not { } limit)
        {
            await next();
            return;
        }

        if (await WithDeadlineAsync(context, limit, next))
        {
            context.Features.Set(new TimedOut("BackendRequest", limit));
        }
    }

    /// <summary>
    /// Runs <paramref name="next"/> with <see cref="HttpContext.RequestAborted"/> ending also after
    /// <paramref name="limit"/>, then puts the token it had back; true when the deadline, and not the
    /// token it had (the client leaving, or an outer deadline), ended it.
    /// </summary>
    private async Task<bool> WithDeadlineAsync(HttpContext context, TimeSpan limit, Func<Task> next, bool endsForEventStreams = false)
    {
        var outer = context.RequestAborted;
        using var deadline = new CancellationTokenSource(limit, time);
        if (endsForEventStreams)
        {
            // A client that did not say it wants an event stream (curl -N) still gets one: the default
            // timeout stops once the pod's answer turns out to be one.
            context.Response.OnStarting(() =>
            {
                if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true && !deadline.IsCancellationRequested)
                {
                    deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                }

                return Task.CompletedTask;
            });
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, deadline.Token);
        context.RequestAborted = linked.Token;
        try
        {
            await next();
        }
        finally
        {
            context.RequestAborted = outer;
        }

        return deadline.IsCancellationRequested && !outer.IsCancellationRequested;
    }

    /// <summary>Requests meant to outlast any ordinary response: no request timeout unless the service sets one.</summary>
    internal static bool IsLongLived(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || NoReadyEndpointMiddleware.IsGrpc(context.Request)
        || context.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    private static Task AnswerAsync(HttpContext context, IReverseProxyFeature proxy, TimedOut timedOut)
    {
        if (context.Response.HasStarted)
        {
            // Part of a response went out: only cutting it off tells the client it is not whole.
            context.Abort();
            return Task.CompletedTask;
        }

        var service = proxy.Route.Config.ClusterId;
        var pod = proxy.ProxiedDestination?.DestinationId is { } id ? id.Split('/')[0] : null;
        var message = $"gateway timeout: service {service}" + (pod is null ? "" : $", pod {pod},")
            + $" did not answer within {GatewayDuration.Format(timedOut.After)} (Timeouts:{timedOut.Which})";
        context.Response.Clear();
        if (NoReadyEndpointMiddleware.IsGrpc(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "4"; // DEADLINE_EXCEEDED
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
        return context.Response.WriteAsync(message + "\n");
    }

    /// <summary>Which timeout ended the request, and after how long.</summary>
    internal sealed record TimedOut(string Which, TimeSpan After);
}
