using System.Text.Json.Nodes;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Routing;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>The admin listener's endpoints: Kubernetes-shaped reads of pods, logs and events, and the gateway's own health.</summary>
internal static class AdminApi
{
    /// <summary>How long a PATCH waits for the pod's worker to apply it before answering with the pod as it is.</summary>
    private static readonly TimeSpan PatchApplyTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The namespace of the gateway's own pods and services.</summary>
    private const string GatewayNamespace = "default";

    /// <summary>The pods, with the request's label and field selectors; a watch of them with <c>?watch=true</c>.</summary>
    private static readonly ResourceList<V1Pod> PodLists = new("Pod", ResourceFields.Pod, ResourceFields.Of, pods => pods, KubectlTable.Pods,
        (items, metadata) => new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = metadata, Items = items });

    /// <summary>The events, oldest change first, with the request's selectors (<c>involvedObject.name=...</c> is how kubectl describe finds a pod's); a watch with <c>?watch=true</c>.</summary>
    private static readonly ResourceList<Corev1Event> EventLists = new("Event", ResourceFields.Event, ResourceFields.Of,
        events => events.OrderBy(e => long.Parse(e.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)), KubectlTable.Events,
        (items, metadata) => new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = metadata, Items = items });

    public static void Map(IEndpointRouteBuilder app, PodRegistry registry, PodManager pods, EventRecorder events, GatewayStatus status, EndpointTable endpoints, TimeProvider time)
    {
        var started = time.GetUtcNow();
        var resources = new AdminResources(registry, events, time);
        app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(resources.Dispose);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => Readyz(status));

        // Discovery, so that kubectl finds what the gateway serves (it falls back to these from aggregated discovery).
        app.MapGet("/api", (HttpRequest request) => K8s(ApiDiscovery.CoreVersions(request.Host.Value ?? "")));
        app.MapGet("/api/v1", () => K8s(ApiDiscovery.CoreV1()));
        app.MapGet("/apis", () => K8s(ApiDiscovery.Groups()));
        app.MapGet($"/apis/{ApiDiscovery.DiscoveryGroup}/v1", () => K8s(ApiDiscovery.DiscoveryV1()));
        app.MapGet(OpenApiV3.Root, () => Json(OpenApiV3.Index()));
        app.MapGet($"{OpenApiV3.Root}/api/v1", () => Json(OpenApiV3.CoreV1Document()));

        app.MapGet("/api/v1/pods", (HttpRequest request) => PodList(resources, null, request, time));
        app.MapGet("/api/v1/namespaces/{ns}/pods", (string ns, HttpRequest request) => PodList(resources, ns, request, time));
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name, HttpRequest request) => GetPod(resources, ns, name, request, time));

        // The status subresource reads as the pod (kubectl patch --subresource=status reads it first).
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/status", (string ns, string name, HttpRequest request) => GetPod(resources, ns, name, request, time));
        PodLogApi.Map(app, registry, pods, time);
        PodExecApi.Map(app, registry, pods);
        app.MapPatch("/api/v1/namespaces/{ns}/pods/{name}/status", (string ns, string name, HttpRequest request) =>
            PatchStatusAsync(registry, pods, resources, ns, name, request, time));
        app.MapGet("/api/v1/events", (HttpRequest request) => EventList(resources, null, request, time));
        app.MapGet("/api/v1/namespaces/{ns}/events", (string ns, HttpRequest request) => EventList(resources, ns, request, time));
        app.MapGet("/api/v1/namespaces/{ns}/events/{name}", (string ns, string name, HttpRequest request) => GetEvent(resources, ns, name, request, time));
        app.MapGet($"/apis/{ApiDiscovery.DiscoveryGroup}/v1/endpointslices", (HttpRequest request) => EndpointSliceList(endpoints, started, null, request, time));
        app.MapGet($"/apis/{ApiDiscovery.DiscoveryGroup}/v1/namespaces/{{ns}}/endpointslices", (string ns, HttpRequest request) => EndpointSliceList(endpoints, started, ns, request, time));

        MetricsApi.Map(app, resources, pods, time);

        // Last in precedence: every other verb or path gets the API server's 405 (a resource served, a verb not) or 404.
        app.Map("/api/{**rest}", UnsupportedRequest.Answer);
        app.Map("/apis/{**rest}", UnsupportedRequest.Answer);
    }

    /// <summary>The endpoints routing sees, as the EndpointSlices of the gateway's namespace.</summary>
    private static IResult EndpointSliceList(EndpointTable endpoints, DateTimeOffset started, string? ns, HttpRequest request, TimeProvider time)
    {
        var slices = ns is null or GatewayNamespace ? EndpointSliceMapper.ToSlices(endpoints.Current.Values, GatewayNamespace, started) : [];
        return KubectlTable.IsWanted(request.Headers.Accept)
            ? Json(KubectlTable.EndpointSlices(slices, time.GetUtcNow()))
            : K8s(new V1EndpointSliceList { ApiVersion = "discovery.k8s.io/v1", Kind = "EndpointSliceList", Metadata = new V1ListMeta(), Items = slices });
    }

    /// <summary>Ready once started; problems are listed as failed checks but keep the gateway ready, since it goes on serving.</summary>
    private static IResult Readyz(GatewayStatus status)
    {
        if (!status.Started)
        {
            return Results.Text("[-]started failed: the gateway is starting\nreadyz check failed\n", statusCode: 503);
        }

        if (status.Problems.Count == 0)
        {
            return Results.Text("ok\n");
        }

        var text = new System.Text.StringBuilder("[+]started ok\n");
        foreach (var (check, message) in status.Problems.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append("[-]").Append(check).Append(" failed: ").Append(message).Append('\n');
        }

        return Results.Text(text.Append("readyz check passed: serving with the last good state\n").ToString());
    }

    private static PodState? FindPod(PodRegistry registry, string ns, string name) =>
        registry.Pods.TryGetValue(name, out var pod) && pod.Namespace == ns ? pod : null;

    private static IResult GetPod(AdminResources resources, string ns, string name, HttpRequest request, TimeProvider time) =>
        !resources.Pods.Current.Items.TryGetValue(name, out var pod) || pod.Metadata.NamespaceProperty != ns ? NotFound("pods", name)
        : KubectlTable.IsWanted(request.Headers.Accept) ? Json(KubectlTable.Pods([pod], time.GetUtcNow()))
        : K8s(pod);

    private static IResult PodList(AdminResources resources, string? ns, HttpRequest request, TimeProvider time) => PodLists.Answer(resources.Pods, ns, request, time);

    private static IResult GetEvent(AdminResources resources, string ns, string name, HttpRequest request, TimeProvider time) =>
        !resources.Events.Current.Items.TryGetValue(name, out var e) || e.Metadata.NamespaceProperty != ns ? NotFound("events", name)
        : KubectlTable.IsWanted(request.Headers.Accept) ? Json(KubectlTable.Events([e], time.GetUtcNow()))
        : K8s(e);

    private static IResult EventList(AdminResources resources, string? ns, HttpRequest request, TimeProvider time) => EventLists.Answer(resources.Events, ns, request, time);

    private static IResult Json(JsonNode value) => Results.Text(value.ToJsonString(), KubernetesStatus.JsonType);

    /// <summary>
    /// A JSON merge of <c>status.conditions</c>: how a user sets the conditions that <c>readinessGates</c>
    /// name. Only those: any other condition, a malformed body or a wrong type is refused whole.
    /// </summary>
    private static async Task<IResult> PatchStatusAsync(PodRegistry registry, PodManager pods, AdminResources resources, string ns, string name, HttpRequest request, TimeProvider time)
    {
        if (FindPod(registry, ns, name) is null)
        {
            return NotFound("pods", name);
        }

        if (pods.Find(name) is not { } worker)
        {
            return Status(409, "Conflict", $"pod {name} is Pending until the gateway has room for it (Gateway:MaxPods); its conditions can be set once it is scheduled");
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (System.Text.Json.JsonException e)
        {
            return Status(400, "BadRequest", $"error decoding patch: the body is not JSON: {e.Message}");
        }

        if (body is not JsonObject patch)
        {
            return Status(400, "BadRequest", "error decoding patch: the body must be a JSON object, such as {\"status\":{\"conditions\":[{\"type\":\"...\",\"status\":\"True\"}]}}");
        }

        var gates = worker.State.Spec.ReadinessGates?.Select(g => g.ConditionType).ToHashSet(StringComparer.Ordinal) ?? [];
        var conditions = StatusPatch.Conditions(patch, gates, out var causes);
        if (causes.Count > 0)
        {
            return KubernetesStatus.Result(KubernetesStatus.Invalid("Pod", "pods", name, causes));
        }

        // The worker applies the change on its own loop; answer with the pod once the registry shows it (or after a second).
        bool Shows(PodState pod) => conditions.All(c => pod.GateConditions.TryGetValue(c.Key, out var v) && v == c.Value);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(PodState? before, PodState? after)
        {
            if (after?.Name == name && Shows(after))
            {
                applied.TrySetResult();
            }
        }

        registry.Changed += OnChanged;
        try
        {
            worker.Post(new PodEvent.SetConditions(conditions));
            if (!Shows(worker.State))
            {
                await applied.Task.WaitAsync(PatchApplyTimeout, time, request.HttpContext.RequestAborted);
            }
        }
        catch (TimeoutException)
        {
            // Answer with what the pod shows now, as the API server answers with the object it stored.
        }
        finally
        {
            registry.Changed -= OnChanged;
        }

        return K8s(resources.Pods.Current.Items.TryGetValue(name, out var shown) ? shown : PodMapper.ToV1Pod(worker.State));
    }

    private static IResult K8s(object value) => Results.Text(KubernetesJson.Serialize(value), KubernetesStatus.JsonType);

    private static IResult NotFound(string resource, string name) => Status(404, "NotFound", $"{resource} \"{name}\" not found");

    private static IResult Status(int code, string reason, string message) => KubernetesStatus.Result(code, reason, message);
}
