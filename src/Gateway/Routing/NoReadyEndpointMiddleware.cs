
namespace Gateway.Routing;

/// <summary>In the proxy pipeline: when a service has no pod to take the request, 503 with <c>Retry-After</c>.</summary>
internal static class NoReadyEndpointMiddleware
{
    // Not async: a request that has somewhere to go passes through without a state machine of its own.
    public static Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var feature = context.GetReverseProxyFeature();
        return feature.AvailableDestinations.Count == 0 ? RefuseAsync(context, feature.Route.Config.ClusterId) : next();
    }

    private static Task RefuseAsync(HttpContext context, string? service)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return context.Response.WriteAsync($"no ready pod for service {service}\n");
    }
}
