using System.Text.Json.Nodes;
using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The <c>apps/v1</c> endpoints: the replicated services as Deployments and their revisions as
/// ReplicaSets, the writes kubectl makes on them (scale, rollout restart, undo, pause, resume) and
/// the deletion of a pod. A write lasts until the service's entry in the settings file changes
/// (<see cref="ServiceOverride"/>).
/// </summary>
internal static class DeploymentApi
{
    private const string Namespace = "default";

    /// <summary>How often a watch of Deployments looks for a change.</summary>
    private static readonly TimeSpan WatchPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a watch stays open when the client names no <c>timeoutSeconds</c>.</summary>
    private static readonly TimeSpan WatchLimit = TimeSpan.FromMinutes(30);

    public static void Map(IEndpointRouteBuilder app, ServiceCatalog catalog, DeploymentStore store, PodRegistry registry, PodManager pods, TimeProvider time)
    {
        var api = new Context(catalog, store, registry, time);
        app.MapGet($"/apis/{ApiDiscovery.AppsGroup}/v1", () => K8s(ApiDiscovery.AppsV1()));
        foreach (var prefix in new[] { "/apis/apps/v1", "/apis/apps/v1/namespaces/{ns}" })
        {
            app.MapGet($"{prefix}/deployments", (HttpRequest request, string? ns) => DeploymentList(api, ns, request));
            app.MapGet($"{prefix}/replicasets", (HttpRequest request, string? ns) => ReplicaSetList(api, ns, request));
        }

        const string deployment = "/apis/apps/v1/namespaces/{ns}/deployments/{name}";
        app.MapGet(deployment, (string ns, string name, HttpRequest request) =>
            api.Find(ns, name) is { } d ? Object(request, [d.Deployment], d.Deployment, api.Now) : NotFound("deployments", name));
        app.MapPatch(deployment, (string ns, string name, HttpRequest request) => PatchDeploymentAsync(api, ns, name, request));
        app.MapGet($"{deployment}/scale", (string ns, string name) => api.Find(ns, name) is { } d ? K8s(Scale(d.Deployment)) : NotFound("deployments.apps", name));
        app.MapPatch($"{deployment}/scale", (string ns, string name, HttpRequest request) => WriteScaleAsync(api, ns, name, request, patch: true));
        app.MapPut($"{deployment}/scale", (string ns, string name, HttpRequest request) => WriteScaleAsync(api, ns, name, request, patch: false));
        app.MapGet("/apis/apps/v1/namespaces/{ns}/replicasets/{name}", (string ns, string name, HttpRequest request) =>
            api.ReplicaSets(ns).FirstOrDefault(r => r.Metadata.Name == name) is { } rs ? Object(request, [rs], rs, api.Now) : NotFound("replicasets.apps", name));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) => DeletePod(registry, pods, ns, name, time));
    }

    /// <summary>The admin API's view of the services, read fresh for each request.</summary>
    private sealed class Context(ServiceCatalog catalog, DeploymentStore store, PodRegistry registry, TimeProvider time)
    {
        public DeploymentStore Store => store;

        public DateTimeOffset Now => time.GetUtcNow();

        public TimeProvider Time => time;

        public IEnumerable<(ServiceSpec File, ServiceSpec Effective, DeploymentRecord Record, IReadOnlyCollection<PodState> Pods)> Services(string? ns) =>
            ns is not (null or Namespace) ? [] : catalog.Current.Services.Where(DeploymentStore.IsDeployment).Select(file =>
            {
                var (effective, record) = store.Read(file);
                return (file, effective, record, (IReadOnlyCollection<PodState>)[.. registry.Pods.Values.Where(p => p.ServiceName == file.Name)]);
            });

        public IEnumerable<V1Deployment> Deployments(string? ns) =>
            Services(ns).Select(s => DeploymentMapper.ToV1Deployment(s.Effective, s.Record, s.Pods));

        public IEnumerable<V1ReplicaSet> ReplicaSets(string? ns) =>
            Services(ns).SelectMany(s => ReplicaSetMapper.ToV1ReplicaSets(s.Effective, s.Record, s.Pods));

        public (ServiceSpec File, DeploymentRecord Record, V1Deployment Deployment)? Find(string ns, string name) =>
            Services(ns).Where(s => s.File.Name == name).Select(s => (s.File, s.Record, DeploymentMapper.ToV1Deployment(s.Effective, s.Record, s.Pods))).FirstOrDefault() is { File: not null } found
                ? found : null;
    }

    private static async Task<IResult> DeploymentList(Context api, string? ns, HttpRequest request)
    {
        if (BadSelector(request) is { } bad)
        {
            return bad;
        }

        if (IsWatch(request))
        {
            await WatchAsync(api.Time, () => Select(api.Deployments(ns), request, d => d.Metadata), d => d.Metadata,
                gone => new V1Deployment { ApiVersion = "apps/v1", Kind = "Deployment", Metadata = new V1ObjectMeta { Name = gone, NamespaceProperty = Namespace } }, request);
            return Results.Empty;
        }

        List<V1Deployment> items = [.. Select(api.Deployments(ns), request, d => d.Metadata)];
        return KubectlTable.IsWanted(request.Headers.Accept)
            ? Json(KubectlTable.Deployments(items, api.Now))
            : K8s(new V1DeploymentList { ApiVersion = "apps/v1", Kind = "DeploymentList", Metadata = new V1ListMeta { ResourceVersion = ListVersion(items.Select(d => d.Metadata)) }, Items = items });
    }

    private static IResult ReplicaSetList(Context api, string? ns, HttpRequest request)
    {
        if (BadSelector(request) is { } bad)
        {
            return bad;
        }

        List<V1ReplicaSet> items = [.. Select(api.ReplicaSets(ns), request, r => r.Metadata)];
        return KubectlTable.IsWanted(request.Headers.Accept)
            ? Json(KubectlTable.ReplicaSets(items, api.Now))
            : K8s(new V1ReplicaSetList { ApiVersion = "apps/v1", Kind = "ReplicaSetList", Metadata = new V1ListMeta { ResourceVersion = ListVersion(items.Select(r => r.Metadata)) }, Items = items });
    }

    /// <summary>
    /// A watch of Deployments (what <c>kubectl rollout status</c> follows): the objects are computed,
    /// not stored, so the watch looks every <see cref="WatchPoll"/> and sends each one whose
    /// <c>resourceVersion</c> changed, as <c>WatchEvent</c> JSON lines.
    /// </summary>
    internal static async Task WatchAsync<T>(TimeProvider time, Func<IEnumerable<T>> list, Func<T, V1ObjectMeta> metadata, Func<string, T> deleted, HttpRequest request)
    {
        var response = request.HttpContext.Response;
        response.ContentType = KubernetesStatus.JsonType;
        var limit = int.TryParse(request.Query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : WatchLimit;
        using var timeout = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, request.HttpContext.RequestAborted);
        var since = request.Query["resourceVersion"].ToString();
        var sent = new Dictionary<string, string>(StringComparer.Ordinal);
        var first = true;
        try
        {
            while (!linked.IsCancellationRequested)
            {
                var now = list().ToDictionary(d => metadata(d).Name, StringComparer.Ordinal);
                foreach (var (name, d) in now)
                {
                    var known = sent.TryGetValue(name, out var version);
                    var unchangedSinceList = first && since.Length > 0 && since == ListVersion([metadata(d)]);
                    if ((!known || version != metadata(d).ResourceVersion) && !unchangedSinceList)
                    {
                        await WriteEventAsync(response, known || (first && since.Length > 0) ? "MODIFIED" : "ADDED", d!, linked.Token);
                    }

                    sent[name] = metadata(d).ResourceVersion;
                }

                foreach (var gone in sent.Keys.Where(k => !now.ContainsKey(k)).ToList())
                {
                    await WriteEventAsync(response, "DELETED", deleted(gone)!, linked.Token);
                    sent.Remove(gone);
                }

                first = false;
                await response.Body.FlushAsync(linked.Token);
                await Task.Delay(WatchPoll, time, linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's time is up or the client left: the stream ends, and the client watches again.
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, object item, CancellationToken cancellationToken)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = JsonNode.Parse(KubernetesJson.Serialize(item)) };
        await response.WriteAsync(line.ToJsonString() + "\n", cancellationToken);
    }

    private static async Task<IResult> PatchDeploymentAsync(Context api, string ns, string name, HttpRequest request)
    {
        if (api.Find(ns, name) is not { } found)
        {
            return NotFound("deployments.apps", name);
        }

        if (!ObjectPatch.IsSupported(request.ContentType))
        {
            return KubernetesStatus.Result(415, "UnsupportedMediaType", ObjectPatch.Unsupported(request.ContentType));
        }

        var body = await ReadBodyAsync(request);
        var before = JsonNode.Parse(KubernetesJson.Serialize(found.Deployment))!;
        if (ObjectPatch.Apply(before, request.ContentType, body, out var error) is not { } after)
        {
            return KubernetesStatus.Result(400, "BadRequest", error!);
        }

        var causes = new List<KubernetesStatus.Cause>();
        var desired = DeploymentPatch.Decide(before, after, found.Record.History, causes);
        if (desired is null)
        {
            return KubernetesStatus.Result(KubernetesStatus.Invalid("Deployment.apps", "deployments", name, causes));
        }

        if (IsDryRun(request))
        {
            return K8s(found.Deployment);
        }

        api.Store.Change(found.File, o => Overlay(found.File, o, desired), Describe(found.Record, desired));
        return K8s(api.Find(ns, name)?.Deployment ?? found.Deployment);
    }

    /// <summary>The override that makes <paramref name="desired"/> the spec in force: what equals the file's is left to the file.</summary>
    private static ServiceOverride Overlay(ServiceSpec file, ServiceOverride current, DeploymentPatch.Desired desired)
    {
        var pods = file.Pods!;
        return current with
        {
            Replicas = desired.Replicas == pods.Replicas ? null : desired.Replicas,
            Template = desired.Template.Hash == pods.TemplateHash ? null : desired.Template,
            Paused = desired.Paused,
        };
    }

    private static string Describe(DeploymentRecord before, DeploymentPatch.Desired desired)
    {
        var changes = new List<string>();
        var current = before.History.Current!.Template;
        if (desired.Template.Hash != current.Hash)
        {
            changes.Add(before.History.FindByHash(desired.Template.Hash) is { } revision
                ? $"rolled back to revision {revision.Number}"
                : desired.Template.Annotations.TryGetValue(PodTemplate.RestartedAtAnnotation, out var at) ? $"restarted at {at}" : "template annotations changed");
        }

        if (desired.Paused != before.Paused)
        {
            changes.Add(desired.Paused ? "rollout paused" : "rollout resumed");
        }

        return changes.Count == 0 ? "spec written through the API" : string.Join(", ", changes);
    }

    private static async Task<IResult> WriteScaleAsync(Context api, string ns, string name, HttpRequest request, bool patch)
    {
        if (api.Find(ns, name) is not { } found)
        {
            return NotFound("deployments.apps", name);
        }

        if (patch && !ObjectPatch.IsSupported(request.ContentType))
        {
            return KubernetesStatus.Result(415, "UnsupportedMediaType", ObjectPatch.Unsupported(request.ContentType));
        }

        var body = await ReadBodyAsync(request);
        var before = JsonNode.Parse(KubernetesJson.Serialize(Scale(found.Deployment)))!;
        JsonNode? after;
        string? error = null;
        if (patch)
        {
            after = ObjectPatch.Apply(before, request.ContentType, body, out error);
        }
        else
        {
            try
            {
                after = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException e)
            {
                after = null;
                error = $"error decoding the Scale: {e.Message}";
            }
        }

        if (after is null)
        {
            return KubernetesStatus.Result(400, "BadRequest", error ?? "error decoding the Scale: the body is empty");
        }

        var causes = new List<KubernetesStatus.Cause>();
        if (DeploymentPatch.Replicas(after["spec"]?["replicas"], "spec.replicas", causes) is not { } replicas)
        {
            return KubernetesStatus.Result(KubernetesStatus.Invalid("Scale.autoscaling", "deployments", name, causes));
        }

        if (!IsDryRun(request))
        {
            var file = found.File.Pods!;
            var from = found.Deployment.Spec.Replicas;
            api.Store.Change(found.File, o => o with { Replicas = replicas == file.Replicas ? null : replicas }, $"scaled from {from} to {replicas} replicas");
        }

        return K8s(api.Find(ns, name) is { } now ? Scale(now.Deployment) : Scale(found.Deployment));
    }

    /// <summary>The <c>autoscaling/v1</c> Scale of a Deployment.</summary>
    private static V1Scale Scale(V1Deployment d) => new()
    {
        ApiVersion = "autoscaling/v1",
        Kind = "Scale",
        Metadata = new V1ObjectMeta { Name = d.Metadata.Name, NamespaceProperty = Namespace, Uid = d.Metadata.Uid, ResourceVersion = d.Metadata.ResourceVersion, CreationTimestamp = d.Metadata.CreationTimestamp },
        Spec = new V1ScaleSpec { Replicas = d.Spec.Replicas },
        Status = new V1ScaleStatus { Replicas = d.Status.Replicas ?? 0, Selector = $"app={d.Metadata.Name}" },
    };

    /// <summary>
    /// <c>kubectl delete pod</c>: the pod drains and stops (<see cref="PodManager.Delete"/>); the
    /// replica controller replaces a replicated service's pod, not a bare Pod manifest's. The answer
    /// is the pod as it is now, terminating.
    /// </summary>
    private static IResult DeletePod(PodRegistry registry, PodManager pods, string ns, string name, TimeProvider time)
    {
        if (!registry.Pods.TryGetValue(name, out var pod) || pod.Namespace != ns)
        {
            return NotFound("pods", name);
        }

        pods.Delete(name, "deleted through the admin API");
        var now = registry.Pods.TryGetValue(name, out var after) ? after : pod;
        var shown = PodMapper.ToV1Pod(now);
        shown.Metadata.DeletionTimestamp ??= time.GetUtcNow().UtcDateTime;
        return K8s(shown);
    }

    internal static IResult Object<T>(HttpRequest request, IReadOnlyList<T> table, T item, DateTimeOffset now) where T : class => !KubectlTable.IsWanted(request.Headers.Accept)
        ? K8s(item)
        : Json(table switch
        {
            IReadOnlyList<V1Deployment> d => KubectlTable.Deployments(d, now),
            IReadOnlyList<V1ReplicaSet> r => KubectlTable.ReplicaSets(r, now),
            IReadOnlyList<V1Job> j => KubectlTable.Jobs(j, now),
            _ => throw new ArgumentException("no table for this kind", nameof(table)),
        });

    internal static IEnumerable<T> Select<T>(IEnumerable<T> items, HttpRequest request, Func<T, V1ObjectMeta> metadata)
    {
        // Checked by the handler first (BadSelector): a malformed selector never gets here.
        var labels = LabelSelector.Parse(request.Query["labelSelector"].ToString(), out _) ?? LabelSelector.Everything;
        var name = FieldName(request.Query["fieldSelector"]);
        return items.Where(i => labels.Matches(metadata(i).Labels?.AsReadOnly()) && (name is null || metadata(i).Name == name));
    }

    /// <summary>The API server's 400 for a malformed <c>labelSelector</c>; null when it parses.</summary>
    internal static IResult? BadSelector(HttpRequest request) =>
        LabelSelector.Parse(request.Query["labelSelector"].ToString(), out var error) is null ? KubernetesStatus.Result(400, "BadRequest", error!) : null;

    /// <summary>The one field selector kubectl sends for these (<c>metadata.name=web</c>, by rollout status and wait); null for none.</summary>
    private static string? FieldName(string? selector) =>
        selector?.Split(',').Select(s => s.Trim()).Select(s => s.StartsWith("metadata.name==", StringComparison.Ordinal) ? s[15..] : s.StartsWith("metadata.name=", StringComparison.Ordinal) ? s[14..] : null).FirstOrDefault(s => s is not null);

    internal static string ListVersion(IEnumerable<V1ObjectMeta> items) =>
        DeploymentMapper.Uid("List", string.Join(',', items.Select(m => m.ResourceVersion)))[..8];

    internal static bool IsWatch(HttpRequest request) => request.Query["watch"].ToString() is "1" or "true";

    private static bool IsDryRun(HttpRequest request) => request.Query["dryRun"].ToString() == "All";

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    internal static IResult Json(JsonNode value) => Results.Text(value.ToJsonString(), KubernetesStatus.JsonType);

    internal static IResult K8s(object value) => Results.Text(KubernetesJson.Serialize(value), KubernetesStatus.JsonType);

    internal static IResult NotFound(string resource, string name) => KubernetesStatus.Result(404, "NotFound", $"{resource} \"{name}\" not found");
}
