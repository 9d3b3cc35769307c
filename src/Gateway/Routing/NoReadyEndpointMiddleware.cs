namespace Gateway.Routing;

/// <summary>
/// In the proxy pipeline: when a service has no pod to take the request, 503 with <c>Retry-After</c>;
/// a gRPC call gets gRPC's own answer instead, <c>UNAVAILABLE</c> (14), the status its clients retry
/// on, as a trailers-only response (HTTP 200, <c>grpc-status</c> in the headers), which is what
/// gRPC servers and Envoy send: a gRPC client reads an HTTP 503 as a protocol failure.
/// </summary>
internal static class NoReadyEndpointMiddleware
{
    /// <summary>gRPC's status code UNAVAILABLE.</summary>
    public const string GrpcUnavailable = "14";

    // Not async: a request that has somewhere to go passes through without a state machine of its own.
    public static Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var feature = context.GetReverseProxyFeature();
        return feature.AvailableDestinations.Count == 0 ? RefuseAsync(context, feature.Route.Config.ClusterId) : next();
    }

    /// <summary>Whether the request is a gRPC call (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...; not gRPC-Web).</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (type.Length == "application/grpc".Length || type["application/grpc".Length] is '+' or ';');

    private static Task RefuseAsync(HttpContext context, string? service)
    {
        var message = $"no ready pod for service {service}";
        if (IsGrpc(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = GrpcUnavailable;
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return context.Response.WriteAsync(message + "\n");
    }
}
