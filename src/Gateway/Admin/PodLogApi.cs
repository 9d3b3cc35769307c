using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Runtimes;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c>, as the API server and kubelet answer it, so that
/// every form of <c>kubectl logs</c> works: <c>container</c>, <c>previous</c>, <c>tailLines</c>,
/// <c>sinceSeconds</c>/<c>sinceTime</c>, <c>timestamps</c>, <c>limitBytes</c>, and <c>follow</c>, which
/// streams the lines as the container instance writes them and ends when that instance ends.
/// </summary>
internal static class PodLogApi
{
    public static void Map(IEndpointRouteBuilder app, PodRegistry registry, PodManager pods, TimeProvider time)
    {
        var stopping = app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (string ns, string name, HttpContext context) =>
            ReadAsync(registry, pods, time, ns, name, context, stopping));
    }

    private static async Task ReadAsync(PodRegistry registry, PodManager pods, TimeProvider time, string ns, string name, HttpContext context, CancellationToken stopping)
    {
        var (options, log, error) = Find(registry, pods, ns, name, context.Request.Query);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain";

        // A follow ends with the request, or when the gateway stops (its pods' instances end then, but a kept one's would not).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var token = ended.Token;
        var since = options!.Since(time.GetUtcNow());
        var output = new PodLogOutput(options.Timestamps, options.LimitBytes);
        var chunk = log!.Read();
        try
        {
            await WriteAsync(response, output.Format(options.Select(chunk.Lines, since)), token);
            while (options.Follow && !chunk.Completed && !output.Exhausted)
            {
                await chunk.Changed.WaitAsync(token);
                chunk = log.Read(chunk.Next);
                await WriteAsync(response, output.Format(PodLogOptions.Later(chunk.Lines, since)), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away or the gateway stops: the stream just ends.
        }
    }

    /// <summary>Each part written at once: a follower sees a line as soon as it is read (and the headers before any).</summary>
    private static async Task WriteAsync(HttpResponse response, ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        if (!bytes.IsEmpty)
        {
            await response.Body.WriteAsync(bytes, token);
        }

        await response.Body.FlushAsync(token);
    }

    /// <summary>The options and the log they read, or the API server's error, checked in its order: the query, then the pod, then the container.</summary>
    private static (PodLogOptions? Options, ContainerLog? Log, IResult? Error) Find(PodRegistry registry, PodManager pods, string ns, string name, IQueryCollection query)
    {
        if (PodLogOptions.Parse(query, out var undecodable) is not { } options)
        {
            return (null, null, Status(400, "BadRequest", undecodable!));
        }

        if (options.Validate() is { Count: > 0 } causes)
        {
            return (null, null, KubernetesStatus.Result(KubernetesStatus.Invalid("PodLogOptions", "PodLogOptions", name, causes)));
        }

        if (!registry.Pods.TryGetValue(name, out var pod) || pod.Namespace != ns)
        {
            return (null, null, Status(404, "NotFound", $"pods \"{name}\" not found"));
        }

        if (pods.Find(name) is not { } worker)
        {
            // A Pending pod waiting for room has no containers yet; the API server's words for it.
            return (null, null, Status(400, "BadRequest", $"pod {name} does not have a host assigned"));
        }

        // The API server's choice of container, the one exec makes too.
        if (PodExecRequest.ChooseContainer(name, [.. pod.Containers.Select(c => c.Name)], [.. pod.InitContainers.Select(c => c.Name)], options.Container, out var error) is not { } container)
        {
            return (null, null, Status(400, "BadRequest", error!));
        }

        // The kubelet's words: no previous instance, or none at all yet.
        return worker.ReadLog(container, options.Previous) is { } log ? (options, log, null)
            : options.Previous ? (null, null, Status(400, "BadRequest", $"previous terminated container \"{container}\" in pod \"{name}\" not found"))
            : (null, null, Status(400, "BadRequest", $"container \"{container}\" in pod \"{name}\" is waiting to start: {pod.FindContainer(container)?.WaitingReason ?? "ContainerCreating"}"));
    }

    private static IResult Status(int code, string reason, string message) => KubernetesStatus.Result(code, reason, message);
}
