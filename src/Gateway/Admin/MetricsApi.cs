using System.Text.Json.Nodes;
using Gateway.Controllers;
using Gateway.Runtimes;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The <c>metrics.k8s.io/v1beta1</c> PodMetrics that <c>kubectl top pods</c> reads, as metrics-server
/// serves them: the CPU rate and memory of every running container of the selected pods. Each answer
/// reads the containers twice, <see cref="SampleGap"/> apart (<see cref="UsageRate.SampleAsync"/>), so
/// a request takes that long and its <c>window</c> is that gap; nothing is sampled between requests.
/// </summary>
internal static class MetricsApi
{
    /// <summary>The time between the two readings of a request: long enough for the 10 ms CPU ticks of <c>/proc</c> to resolve 1% of a core.</summary>
    public static readonly TimeSpan SampleGap = TimeSpan.FromSeconds(1);

    private const string Root = $"/apis/{PodMetricsMapper.ApiVersion}";

    public static void Map(IEndpointRouteBuilder app, AdminResources resources, PodManager pods, TimeProvider time)
    {
        app.MapGet(Root, () => K8s(ApiDiscovery.MetricsV1Beta1()));
        app.MapGet($"{Root}/pods", (HttpRequest request) => ListAsync(resources, pods, null, request, time));
        app.MapGet($"{Root}/namespaces/{{ns}}/pods", (string ns, HttpRequest request) => ListAsync(resources, pods, ns, request, time));
        app.MapGet($"{Root}/namespaces/{{ns}}/pods/{{name}}", (string ns, string name, HttpRequest request) => GetAsync(resources, pods, ns, name, request, time));
    }

    private static async Task<IResult> ListAsync(AdminResources resources, PodManager pods, string? ns, HttpRequest request, TimeProvider time)
    {
        if (ListRequest.Parse(request, ResourceFields.Pod, out var error) is not { } options)
        {
            return KubernetesStatus.Result(400, "BadRequest", error!);
        }

        var selected = resources.Pods.Current.Items.Values
            .Where(p => (ns is null || p.Metadata.NamespaceProperty == ns) && options.Labels.Matches(p.Metadata.Labels?.AsReadOnly()) && options.Fields.Matches(f => ResourceFields.Of(p, f)))
            .OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var metrics = await MeasureAsync(selected, pods, time, request.HttpContext.RequestAborted);
        return Json(PodMetricsMapper.ToList(metrics));
    }

    private static async Task<IResult> GetAsync(AdminResources resources, PodManager pods, string ns, string name, HttpRequest request, TimeProvider time)
    {
        var found = resources.Pods.Current.Items.TryGetValue(name, out var pod) && pod.Metadata.NamespaceProperty == ns
            ? await MeasureAsync([pod], pods, time, request.HttpContext.RequestAborted)
            : [];
        return found.Count == 1 ? Json(found[0]) : KubernetesStatus.Result(404, "NotFound", $"podmetrics.{ApiDiscovery.MetricsGroup} \"{name}\" not found");
    }

    /// <summary>The PodMetrics of the pods that have a running container to read; a pod with none (Pending, terminated) has none, as with metrics-server.</summary>
    private static async Task<List<JsonObject>> MeasureAsync(IReadOnlyList<V1Pod> selected, PodManager pods, TimeProvider time, CancellationToken cancellationToken)
    {
        List<((string Pod, string Container) Key, IUsageReporting Instance)> instances = [];
        foreach (var pod in selected)
        {
            if (pods.Find(pod.Metadata.Name)?.Running is not { } running)
            {
                continue;
            }

            foreach (var container in ContainerNames(pod))
            {
                if (running.TryGetValue(container, out var instance) && instance.Instance is IUsageReporting reporting)
                {
                    instances.Add(((pod.Metadata.Name, container), reporting));
                }
            }
        }

        var rates = await UsageRate.SampleAsync(instances, SampleGap, time, cancellationToken);
        var now = time.GetUtcNow();
        List<JsonObject> metrics = [];
        foreach (var pod in selected)
        {
            List<(string, UsageRate)> containers = [.. ContainerNames(pod).Where(c => rates.ContainsKey((pod.Metadata.Name, c))).Select(c => (c, rates[(pod.Metadata.Name, c)]))];
            if (containers.Count > 0)
            {
                metrics.Add(PodMetricsMapper.ToPodMetrics(pod, containers, now));
            }
        }

        return metrics;
    }

    /// <summary>Init containers first (a sidecar runs beside the others), then the pod's containers.</summary>
    private static IEnumerable<string> ContainerNames(V1Pod pod) =>
        (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).Select(c => c.Name);

    private static IResult Json(JsonNode value) => Results.Text(value.ToJsonString(), KubernetesStatus.JsonType);

    private static IResult K8s(object value) => Results.Text(KubernetesJson.Serialize(value), KubernetesStatus.JsonType);
}
