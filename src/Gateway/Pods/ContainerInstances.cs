using System.Collections.Immutable;
using Gateway.Runtimes;

namespace Gateway.Pods;

/// <summary>
/// The current instance of each of a pod's containers, and the log each one's previous instance left.
/// Immutable: the pod loop swaps it whole; log readers and stop tasks take the one they find.
/// </summary>
internal sealed class ContainerInstances
{
    public static readonly ContainerInstances Empty = new(
        ImmutableDictionary<string, RunningContainer>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, ContainerLog>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableDictionary<string, ContainerLog> _previousLogs;

    private ContainerInstances(ImmutableDictionary<string, RunningContainer> current, ImmutableDictionary<string, ContainerLog> previousLogs)
    {
        Current = current;
        _previousLogs = previousLogs;
    }

    /// <summary>The current instance of each container that has one, by container name.</summary>
    public ImmutableDictionary<string, RunningContainer> Current { get; }

    /// <summary>
    /// A copy in which <paramref name="running"/> is its container's current instance. The instance it
    /// replaces, returned in <paramref name="replaced"/> for its owner to dispose, leaves its log behind
    /// for <c>previous=true</c>.
    /// </summary>
    public ContainerInstances With(RunningContainer running, out IContainerInstance? replaced)
    {
        ArgumentNullException.ThrowIfNull(running);
        replaced = Current.GetValueOrDefault(running.Name)?.Instance;
        var previousLogs = replaced is null ? _previousLogs : _previousLogs.SetItem(running.Name, replaced.Log);
        return new ContainerInstances(Current.SetItem(running.Name, running), previousLogs);
    }

    /// <summary>
    /// The log of a container's current instance (or, with none, of its previous one), or of its previous
    /// one: the instance's own log, which a follower reads until that instance ends.
    /// </summary>
    public ContainerLog? ReadLog(string container, bool previous) =>
        !previous && Current.TryGetValue(container, out var running) ? running.Instance.Log : _previousLogs.GetValueOrDefault(container);
}
