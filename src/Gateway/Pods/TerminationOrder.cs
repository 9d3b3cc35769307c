namespace Gateway.Pods;

/// <summary>
/// The order in which a pod's containers get their stop signal (docs/semantics.md#termination-order),
/// as the kubelet's termination ordering: the containers all at once; each sidecar once the containers
/// and the sidecars after it have exited, so that sidecars stop in the reverse of their start order.
/// </summary>
public static class TerminationOrder
{
    /// <summary>Which of <paramref name="stopping"/> must have exited before <paramref name="container"/> gets its stop signal.</summary>
    public static IReadOnlyList<string> WaitsFor(PodState pod, string container, IReadOnlyCollection<string> stopping)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(stopping);
        var sidecars = pod.Sidecars.Select(c => c.Name).ToList();
        var index = sidecars.IndexOf(container);
        if (index < 0)
        {
            return [];
        }

        return [.. stopping.Where(name => name != container && (sidecars.IndexOf(name) is var other && (other < 0 || other > index)))];
    }
}
