using Gateway.Specs;

namespace Gateway.Runtimes.Process;

/// <summary>
/// What a starting gateway does with each Process pod record it finds: a plain function of the
/// services, the records and which recorded processes still run (<c>isRunning(pid, startTime)</c>).
/// A pod is adopted when its service runs on the Process runtime, its template hash is the current
/// one, it has no init containers, and every container of its spec has a record whose monitor and app
/// still run (same pid, same start time); a service keeps at most <c>Replicas</c> of them, oldest
/// first (a bare Pod only its own name). Any other pod is ended: its apps that still run are signalled.
/// A process whose pid now has another start time is another process: it is never signalled.
/// </summary>
internal static class ProcessAdoptionPlan
{
    /// <summary>A recorded app process of a pod being ended that is still the one recorded, with its monitor.</summary>
    public sealed record ProcessToEnd(string Pod, string Container, int AppPid, string AppStartTime, long GracePeriodSeconds);

    public sealed record Decision(IReadOnlyList<(ServiceSpec Service, PodRecord Record)> Adopt, IReadOnlyList<PodRecord> End, IReadOnlyList<ProcessToEnd> Signal);

    public static Decision Decide(IReadOnlyList<ServiceSpec> services, IReadOnlyList<PodRecord> records, Func<int, string, bool> isRunning)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(isRunning);
        var adopt = new List<(ServiceSpec, PodRecord)>();
        var end = new List<PodRecord>();
        var signal = new List<ProcessToEnd>();
        var kept = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records.OrderBy(r => r.Created).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            var service = services.FirstOrDefault(s => s.Name == record.Service && s.Pods?.Runtime == RuntimeKind.Process);
            var count = kept.GetValueOrDefault(record.Service);
            if (service is not null && count < service.Pods!.Replicas && Matches(service.Pods, record, isRunning))
            {
                kept[record.Service] = count + 1;
                adopt.Add((service, record));
                continue;
            }

            end.Add(record);
            signal.AddRange(record.Containers
                .Where(c => isRunning(c.AppPid, c.AppStartTime))
                .Select(c => new ProcessToEnd(record.Name, c.Name, c.AppPid, c.AppStartTime, record.TerminationGracePeriodSeconds)));
        }

        return new Decision(adopt, end, signal);
    }

    private static bool Matches(PodsBackend service, PodRecord record, Func<int, string, bool> isRunning) =>
        (service.PodName is null || service.PodName == record.Name)
        && record.TemplateHash == service.TemplateHash
        && service.PodSpec.InitContainers is not { Count: > 0 }
        && record.Containers.Select(c => c.Name).Order(StringComparer.Ordinal)
            .SequenceEqual(service.PodSpec.Containers.Select(c => c.Name).Order(StringComparer.Ordinal))
        && record.Containers.All(c => isRunning(c.MonitorPid, c.MonitorStartTime) && isRunning(c.AppPid, c.AppStartTime));
}
