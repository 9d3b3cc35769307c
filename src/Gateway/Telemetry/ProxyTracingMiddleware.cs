using System.Diagnostics;
using Gateway.Routing;

namespace Gateway.Telemetry;

/// <summary>
/// In the proxy pipeline, inside the retries: every forwarding attempt passes through here, so the
/// request's server span gets the service, the pod that answered, the number of retries, and a
/// <c>gateway.attempt.failed</c> event per attempt that failed (the retry middleware may then try
/// another pod). YARP's <c>proxy.forwarder</c> and HttpClient's spans are the attempts' own.
/// </summary>
internal sealed class ProxyTracingMiddleware(EndpointTable endpoints)
{
    public const string ServiceTag = "gateway.service";
    public const string PodTag = "gateway.pod";
    public const string RetriesTag = "gateway.retries";
    public const string FailedAttemptEvent = "gateway.attempt.failed";

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (Activity.Current is not { IsAllDataRequested: true } activity
            || context.GetReverseProxyFeature() is not { ProxiedDestination: { } destination } feature)
        {
            return;
        }

        var pod = endpoints.Current.GetValueOrDefault(destination.DestinationId)?.PodName ?? destination.DestinationId;
        var attempts = activity.GetTagItem(RetriesTag) is int retries ? retries + 1 : 0;
        if (context.GetForwarderErrorFeature() is { } error)
        {
            activity.AddEvent(new ActivityEvent(FailedAttemptEvent, tags: new ActivityTagsCollection
            {
                [PodTag] = pod,
                ["error.type"] = error.Error.ToString(),
            }));
        }

        activity.SetTag(ServiceTag, feature.Route.Config.ClusterId);
        activity.SetTag(PodTag, pod);
        activity.SetTag(RetriesTag, attempts);
    }
}
