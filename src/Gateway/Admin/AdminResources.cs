using Gateway.Events;
using Gateway.Pods;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The pods and events the admin API serves, kept as Kubernetes objects with resourceVersions and a
/// history to watch from: it follows the <see cref="PodRegistry"/> and the <see cref="EventRecorder"/>
/// by their change events.
/// </summary>
internal sealed class AdminResources : IDisposable
{
    /// <summary>How many changes of each resource a watch can start before (the API server keeps about as many).</summary>
    public const int DefaultHistory = 1000;

    private readonly PodRegistry _registry;
    private readonly EventRecorder _recorder;
    private readonly Lock _podLock = new();
    private readonly Dictionary<string, PodState> _podsSeen = new(StringComparer.Ordinal);

    public AdminResources(PodRegistry registry, EventRecorder recorder, TimeProvider time, int history = DefaultHistory)
    {
        _registry = registry;
        _recorder = recorder;
        var clock = new ResourceVersionClock(time);
        Pods = new WatchCache<V1Pod>(clock, history);
        Events = new WatchCache<Corev1Event>(clock, history);
        registry.Changed += OnPodChanged;
        recorder.Changed += OnEventChanged;
        foreach (var name in registry.Pods.Keys)
        {
            Refresh(name);
        }

        foreach (var e in recorder.Snapshot)
        {
            Events.Apply(e.Name, PodMapper.ToV1Event(e));
        }
    }

    public WatchCache<V1Pod> Pods { get; }

    public WatchCache<Corev1Event> Events { get; }

    public void Dispose()
    {
        _registry.Changed -= OnPodChanged;
        _recorder.Changed -= OnEventChanged;
    }

    private void OnPodChanged(PodState? before, PodState? after) => Refresh((after ?? before)!.Name);

    private void OnEventChanged(GatewayEvent? before, GatewayEvent? after) =>
        Events.Apply((after ?? before)!.Name, after is null ? null : PodMapper.ToV1Event(after));

    /// <summary>
    /// Takes the pod as the registry has it now rather than as the change event says: the registry
    /// raises its events outside its lock, so two writers' events may arrive out of order, and the
    /// registry's own state is the one to converge to.
    /// </summary>
    private void Refresh(string name)
    {
        lock (_podLock)
        {
            _registry.Pods.TryGetValue(name, out var pod);
            _podsSeen.TryGetValue(name, out var seen);
            if (ReferenceEquals(pod, seen))
            {
                return;
            }

            if (pod is null)
            {
                _podsSeen.Remove(name);
            }
            else
            {
                _podsSeen[name] = pod;
            }

            Pods.Apply(name, pod is null ? null : PodMapper.ToV1Pod(pod));
        }
    }
}
