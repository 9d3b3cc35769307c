namespace Gateway.Admin;

/// <summary>
/// Every failed admin request answers with a Kubernetes <c>Status</c>: an exception becomes a 500
/// (or the status of a bad request, such as a body over the limit) with its message, and an empty
/// error answer (an unknown path, a verb a path does not serve) gets the API server's words.
/// </summary>
internal sealed partial class AdminErrorsMiddleware(ILogger<AdminErrorsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!response.HasStarted)
        {
            response.Clear();
            await KubernetesStatus.WriteAsync(response, e.StatusCode, KubernetesStatus.ReasonFor(e.StatusCode), e.Message);
            return;
        }
        catch (Exception e) when (!response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Log.Failed(logger, context.Request.Method, context.Request.Path, e);
            response.Clear();
            await KubernetesStatus.WriteAsync(response, StatusCodes.Status500InternalServerError, "InternalError", $"Internal error occurred: {e.Message}");
            return;
        }

        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentType is null)
        {
            var message = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => "the server could not find the requested resource",
                StatusCodes.Status405MethodNotAllowed => "the server does not allow this method on the requested resource",
                var code => $"the request failed with HTTP status {code}",
            };
            await KubernetesStatus.WriteAsync(response, response.StatusCode, KubernetesStatus.ReasonFor(response.StatusCode), message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "admin API: {Method} {Path} failed; answered 500")]
        public static partial void Failed(ILogger logger, string method, string path, Exception exception);
    }
}
