using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Runtimes;

namespace Gateway.Admin;

/// <summary>
/// <c>pods/{name}/exec</c>: <c>kubectl exec</c> over the WebSocket remote-command protocol (see
/// <see cref="RemoteCommandProtocol"/>). What is wrong with the request is answered before the
/// upgrade, in the words of whoever says it in a cluster: the API server (no such pod or container,
/// no command, a pod not yet on a node, a <c>Status</c>) or the kubelet (a container with no running
/// instance: plain text, which kubectl prints as "unable to upgrade connection: ..."). A command
/// that cannot start is the runtime's error on the error channel, as the kubelet reports it. It is a
/// write (<see cref="AdminAuthorization.IsWrite"/>): only the token's holder may run commands.
/// </summary>
internal static partial class PodExecApi
{
    public const string Path = "/api/v1/namespaces/{ns}/pods/{name}/exec";

    public static void Map(IEndpointRouteBuilder app, PodRegistry registry, PodManager pods)
    {
        // GET is kubectl's WebSocket upgrade; POST is the SPDY one older clients (and kubectl's fallback) use.
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], (string ns, string name, HttpContext context) => ExecAsync(registry, pods, ns, name, context));
    }

    private static async Task ExecAsync(PodRegistry registry, PodManager pods, string ns, string name, HttpContext context)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PodExecApi));
        if (!registry.Pods.TryGetValue(name, out var pod) || pod.Namespace != ns)
        {
            await KubernetesStatus.WriteAsync(context.Response, 404, "NotFound", $"pods \"{name}\" not found");
            return;
        }

        var request = PodExecRequest.Parse(key => context.Request.Query[key], name,
            [.. pod.Containers.Select(c => c.Name)], [.. pod.InitContainers.Select(c => c.Name)], out var error);
        if (request is null)
        {
            await KubernetesStatus.WriteAsync(context.Response, 400, "BadRequest", error!);
            return;
        }

        if (pods.Find(name) is not { } worker)
        {
            await KubernetesStatus.WriteAsync(context.Response, 400, "BadRequest", $"pod {name} does not have a host assigned");
            return;
        }

        var instance = worker.Running.GetValueOrDefault(request.Container)?.Instance;
        if (instance is null || instance.Exited.IsCompleted)
        {
            // The kubelet's answer (findContainer finds running containers only), as plain text with a 500.
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync($"container not found (\"{request.Container}\")");
            return;
        }

        if (instance is not IInteractiveExec target)
        {
            await KubernetesStatus.WriteAsync(context.Response, 501, "NotImplemented", $"the runtime of pod {name} cannot run commands with their streams attached");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await KubernetesStatus.WriteAsync(context.Response, 400, "BadRequest",
                $"exec is served over WebSocket only ({string.Join(", ", RemoteCommandProtocol.Served)}), and this request is not a WebSocket upgrade (SPDY is not served): use kubectl 1.30 or later");
            return;
        }

        var protocol = RemoteCommandProtocol.Negotiate(context.WebSockets.WebSocketRequestedProtocols);
        if (protocol is null)
        {
            await KubernetesStatus.WriteAsync(context.Response, 400, "BadRequest",
                $"unable to upgrade: the client asked for [{string.Join(", ", context.WebSockets.WebSocketRequestedProtocols)}], and the gateway speaks {string.Join(", ", RemoteCommandProtocol.Served)}");
            return;
        }

        Log.Exec(logger, string.Join(' ', request.Spec.Command), request.Container, name, request.Spec.Tty, protocol);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        // A stopping gateway ends its exec sessions at once instead of waiting for them with its shutdown.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        using var session = new RemoteCommandSession(socket, protocol, logger);
        await session.RunAsync(target, request, instance.Exited, ended.Token);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1340, Level = LogLevel.Information, Message = "exec {Command} in container {Container} of pod {Pod} (tty: {Tty}, {Protocol})")]
        public static partial void Exec(ILogger logger, string command, string container, string pod, bool tty, string protocol);
    }
}
