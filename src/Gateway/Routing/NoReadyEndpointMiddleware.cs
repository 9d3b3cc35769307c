
namespace Gateway.Routing;

/// <summary>In the proxy pipeline: when a service has no pod to take the request, 503 with <c>Retry-After</c>.</summary>
internal static class NoReadyEndpointMiddleware
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var feature = context.GetReverseProxyFeature();
        if (feature.AvailableDestinations.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync($"no ready pod for service {feature.Route.Config.ClusterId}\n");
            return;
        }

        await next();
    }
}
