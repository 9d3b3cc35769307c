using System.Text.Json.Nodes;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>The admin listener's endpoints: Kubernetes-shaped reads of pods, logs and events, and the gateway's own health.</summary>
internal static class AdminApi
{
    private const string Json = "application/json";

    public static void Map(IEndpointRouteBuilder app, PodRegistry registry, PodManager pods, EventRecorder events, GatewayStatus status)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => status.Errors.Concat(status.Problems).ToList() is { Count: > 0 } errors
            ? Results.Text($"not ready:\n{string.Join('\n', errors)}\n", statusCode: 503)
            : status.Started ? Results.Text("ok\n") : Results.Text("starting\n", statusCode: 503));

        app.MapGet("/api/v1/pods", () => PodList(registry, null));
        app.MapGet("/api/v1/namespaces/{ns}/pods", (string ns) => PodList(registry, ns));
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) =>
            FindPod(registry, ns, name) is { } pod ? K8s(PodMapper.ToV1Pod(pod)) : NotFound("pods", name));
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (string ns, string name, string? container, bool? previous) =>
            ReadLog(registry, pods, ns, name, container, previous ?? false));
        app.MapPatch("/api/v1/namespaces/{ns}/pods/{name}/status", (string ns, string name, HttpRequest request) =>
            PatchStatusAsync(registry, pods, ns, name, request));
        app.MapGet("/api/v1/events", () => EventList(events, null));
        app.MapGet("/api/v1/namespaces/{ns}/events", (string ns) => EventList(events, ns));
    }

    private static PodState? FindPod(PodRegistry registry, string ns, string name) =>
        registry.Pods.TryGetValue(name, out var pod) && pod.Namespace == ns ? pod : null;

    private static IResult PodList(PodRegistry registry, string? ns) => K8s(new V1PodList
    {
        ApiVersion = "v1",
        Kind = "PodList",
        Metadata = new V1ListMeta(),
        Items = [.. registry.Pods.Values.Where(p => ns is null || p.Namespace == ns).OrderBy(p => p.Name, StringComparer.Ordinal).Select(PodMapper.ToV1Pod)],
    });

    private static IResult EventList(EventRecorder events, string? ns) => K8s(new Corev1EventList
    {
        ApiVersion = "v1",
        Kind = "EventList",
        Metadata = new V1ListMeta(),
        Items = [.. events.Snapshot.Where(e => ns is null || e.Namespace == ns).Select(PodMapper.ToV1Event)],
    });

    private static IResult ReadLog(PodRegistry registry, PodManager pods, string ns, string name, string? container, bool previous)
    {
        if (FindPod(registry, ns, name) is not { } pod || pods.Find(name) is not { } worker)
        {
            return NotFound("pods", name);
        }

        var names = pod.InitContainers.Concat(pod.Containers).Select(c => c.Name).ToList();
        if (string.IsNullOrEmpty(container))
        {
            if (pod.Containers.Length != 1)
            {
                return Status(400, "BadRequest", $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', names)}]");
            }

            container = pod.Containers[0].Name;
        }

        if (!names.Contains(container))
        {
            return Status(400, "BadRequest", $"container {container} is not valid for pod {name}");
        }

        var log = worker.ReadLog(container, previous);
        return log is null && previous
            ? Status(400, "BadRequest", $"previous terminated container \"{container}\" in pod \"{name}\" not found")
            : Results.Text(log ?? "", "text/plain");
    }

    /// <summary>A JSON merge of <c>status.conditions</c>: how a user sets the conditions that <c>readinessGates</c> name.</summary>
    private static async Task<IResult> PatchStatusAsync(PodRegistry registry, PodManager pods, string ns, string name, HttpRequest request)
    {
        if (FindPod(registry, ns, name) is null || pods.Find(name) is not { } worker)
        {
            return NotFound("pods", name);
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body);
        }
        catch (System.Text.Json.JsonException e)
        {
            return Status(400, "BadRequest", $"the body is not JSON: {e.Message}");
        }

        var conditions = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var condition in body?["status"]?["conditions"]?.AsArray() ?? [])
        {
            var type = condition?["type"]?.GetValue<string>();
            var value = condition?["status"]?.GetValue<string>();
            if (string.IsNullOrEmpty(type) || value is not ("True" or "False"))
            {
                return Status(422, "Invalid", "status.conditions[]: each condition needs a type and a status of \"True\" or \"False\"");
            }

            conditions[type] = value == "True";
        }

        worker.Post(new PodEvent.SetConditions(conditions));

        // The worker applies the change on its own loop; answer with the pod once it shows.
        for (var i = 0; i < 100 && !conditions.All(c => worker.State.GateConditions.TryGetValue(c.Key, out var v) && v == c.Value); i++)
        {
            await Task.Delay(10);
        }

        return K8s(PodMapper.ToV1Pod(worker.State));
    }

    private static IResult K8s(object value) => Results.Text(KubernetesJson.Serialize(value), Json);

    private static IResult NotFound(string resource, string name) => Status(404, "NotFound", $"{resource} \"{name}\" not found");

    private static IResult Status(int code, string reason, string message) => Results.Text(
        KubernetesJson.Serialize(new V1Status { ApiVersion = "v1", Kind = "Status", Status = "Failure", Code = code, Reason = reason, Message = message }),
        Json, statusCode: code);
}
