using System.Collections.Immutable;

namespace Gateway.Pods;

/// <summary>
/// Every pod the gateway has, as one immutable snapshot swapped whole on each change. Readers take
/// <see cref="Pods"/> without a lock; <see cref="Changed"/> runs on the writer's thread and must be quick.
/// </summary>
public sealed class PodRegistry
{
    private readonly Lock _writeLock = new();
    private ImmutableDictionary<string, PodState> _pods = ImmutableDictionary<string, PodState>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableDictionary<string, PodState> Pods => Volatile.Read(ref _pods);

    /// <summary>Raised after a pod was added, changed or removed: (before, after), either may be null.</summary>
    public event Action<PodState?, PodState?>? Changed;

    public void Set(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        PodState? before;
        lock (_writeLock)
        {
            _pods.TryGetValue(pod.Name, out before);
            Volatile.Write(ref _pods, _pods.SetItem(pod.Name, pod));
        }

        Changed?.Invoke(before, pod);
    }

    public void Remove(string name)
    {
        PodState? before;
        lock (_writeLock)
        {
            if (!_pods.TryGetValue(name, out before))
            {
                return;
            }

            Volatile.Write(ref _pods, _pods.Remove(name));
        }

        Changed?.Invoke(before, null);
    }
}
