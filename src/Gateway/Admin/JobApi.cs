using Gateway.Pods;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The <c>batch/v1</c> endpoints: the run-to-completion services as Jobs, read-only (get, list,
/// watch), so that <c>kubectl get jobs</c> and <c>kubectl wait --for=condition=complete job/x</c> work.
/// </summary>
internal static class JobApi
{
    public const string Group = "batch";

    private const string Namespace = "default";

    public static void Map(IEndpointRouteBuilder app, ServiceCatalog catalog, PodRegistry registry, TimeProvider time)
    {
        var started = time.GetUtcNow();
        IEnumerable<V1Job> Jobs(string? ns) => ns is not (null or Namespace) ? [] : catalog.Current.Services.Where(s => s.Pods?.Job is not null).Select(service =>
        {
            IReadOnlyCollection<PodState> pods = [.. registry.Pods.Values.Where(p => p.ServiceName == service.Name)];
            var created = pods.Count > 0 ? pods.Min(p => p.CreatedAt) : started;
            return JobMapper.ToV1Job(service, pods, created < started ? created : started);
        });

        app.MapGet($"/apis/{Group}/v1", () => DeploymentApi.K8s(ApiDiscovery.BatchV1()));
        foreach (var prefix in new[] { $"/apis/{Group}/v1", $"/apis/{Group}/v1/namespaces/{{ns}}" })
        {
            app.MapGet($"{prefix}/jobs", async (HttpRequest request, string? ns) =>
            {
                if (DeploymentApi.BadSelector(request) is { } bad)
                {
                    return bad;
                }

                if (DeploymentApi.IsWatch(request))
                {
                    await DeploymentApi.WatchAsync(time, () => DeploymentApi.Select(Jobs(ns), request, j => j.Metadata), j => j.Metadata,
                        gone => new V1Job { ApiVersion = "batch/v1", Kind = "Job", Metadata = new V1ObjectMeta { Name = gone, NamespaceProperty = Namespace } }, request);
                    return Results.Empty;
                }

                List<V1Job> items = [.. DeploymentApi.Select(Jobs(ns), request, j => j.Metadata)];
                return KubectlTable.IsWanted(request.Headers.Accept)
                    ? DeploymentApi.Json(KubectlTable.Jobs(items, time.GetUtcNow()))
                    : DeploymentApi.K8s(new V1JobList { ApiVersion = "batch/v1", Kind = "JobList", Metadata = new V1ListMeta { ResourceVersion = DeploymentApi.ListVersion(items.Select(j => j.Metadata)) }, Items = items });
            });
        }

        app.MapGet($"/apis/{Group}/v1/namespaces/{{ns}}/jobs/{{name}}", (string ns, string name, HttpRequest request) =>
            Jobs(ns).FirstOrDefault(j => j.Metadata.Name == name) is { } job
                ? DeploymentApi.Object(request, [job], job, time.GetUtcNow())
                : DeploymentApi.NotFound($"jobs.{Group}", name));
    }
}
