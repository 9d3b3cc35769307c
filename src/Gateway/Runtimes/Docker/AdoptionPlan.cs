using Gateway.Specs;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// Which containers a starting gateway adopts and which it removes: a plain function of the services
/// and the containers found. A pod is adopted when its service runs on Docker, its template hash is the
/// current one, it has no init containers, and every container of its spec is there once and running;
/// a service keeps at most <c>Replicas</c> of them (a bare Pod only its own name). Everything else goes.
/// </summary>
internal static class AdoptionPlan
{
    public sealed record PodToAdopt(ServiceSpec Service, string Pod, string Uid, IReadOnlyList<LabelledContainer> Containers);

    public static (IReadOnlyList<PodToAdopt> Adopt, IReadOnlyList<string> Remove) Decide(IReadOnlyList<ServiceSpec> services, IReadOnlyList<LabelledContainer> found)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(found);
        var adopt = new List<PodToAdopt>();
        var remove = new List<string>();
        foreach (var byService in found.GroupBy(c => c.Service, StringComparer.Ordinal))
        {
            var service = services.FirstOrDefault(s => s.Name == byService.Key && s.Pods?.Runtime == RuntimeKind.Docker);
            var kept = 0;

            // Oldest first: the pods that have served longest are the ones kept.
            foreach (var pod in byService.GroupBy(c => (c.Pod, c.PodUid)).OrderBy(p => p.Min(c => c.Created)).ThenBy(p => p.Key.Pod, StringComparer.Ordinal))
            {
                if (service is not null && kept < service.Pods!.Replicas && Matches(service.Pods, pod.Key.Pod, [.. pod]))
                {
                    kept++;
                    adopt.Add(new PodToAdopt(service, pod.Key.Pod, pod.Key.PodUid, [.. pod]));
                }
                else
                {
                    remove.AddRange(pod.Select(c => c.Id));
                }
            }
        }

        return (adopt, remove);
    }

    private static bool Matches(PodsBackend service, string podName, IReadOnlyList<LabelledContainer> containers) =>
        (service.PodName is null || service.PodName == podName)
        && service.PodSpec.InitContainers is not { Count: > 0 }
        && containers.All(c => c.Running && c.TemplateHash == service.TemplateHash)
        && containers.Select(c => c.Container).Order(StringComparer.Ordinal)
            .SequenceEqual(service.PodSpec.Containers.Select(c => c.Name).Order(StringComparer.Ordinal));
}
