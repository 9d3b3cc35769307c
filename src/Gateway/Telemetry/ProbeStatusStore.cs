using Gateway.Probes;
using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Telemetry;

/// <summary>
/// The last run of every probe, and how many runs ended how, per pod. A pod's entries go when the
/// pod leaves the registry (<see cref="OnPodChanged"/>), so what is kept is bounded by the pods that
/// exist: the per-pod metric series read from here disappear with their pod.
/// </summary>
public sealed class ProbeStatusStore
{
    private readonly Lock _writeLock = new();
    private ImmutableDictionary<string, PodProbes> _pods = ImmutableDictionary<string, PodProbes>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Pods by name, swapped whole on each run.</summary>
    public ImmutableDictionary<string, PodProbes> Pods => Volatile.Read(ref _pods);

    public void Record(ProbeSubject subject, ProbeKind kind, ProbeStatus status)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var container = subject.Container;
        ArgumentNullException.ThrowIfNull(status);
        var outcome = status.IsError ? "error" : status.Result == ProbeResult.Success ? "success" : "failure";
        lock (_writeLock)
        {
            var probes = _pods.GetValueOrDefault(subject.Pod) ?? new PodProbes(subject.Service, ImmutableDictionary<(string, ProbeKind), ProbeStatus>.Empty, ImmutableDictionary<ProbeRunKey, long>.Empty);
            var key = new ProbeRunKey(container, kind, status.Handler, outcome);
            probes = probes with
            {
                Last = probes.Last.SetItem((container, kind), status),
                Runs = probes.Runs.SetItem(key, probes.Runs.GetValueOrDefault(key) + 1),
            };
            Volatile.Write(ref _pods, _pods.SetItem(subject.Pod, probes));
        }
    }

    /// <summary>Registry hook: forgets a pod once it is gone.</summary>
    public void OnPodChanged(PodState? before, PodState? after)
    {
        if (after is null && before is not null)
        {
            Forget(before.Name);
        }
    }

    /// <summary>Forgets a pod's (or a probed endpoint's) runs.</summary>
    public void Forget(string name)
    {
        lock (_writeLock)
        {
            Volatile.Write(ref _pods, _pods.Remove(name));
        }
    }
}

/// <summary>One pod's probes: the last run per (container, kind), and run counts.</summary>
public sealed record PodProbes(string Service, ImmutableDictionary<(string Container, ProbeKind Kind), ProbeStatus> Last, ImmutableDictionary<ProbeRunKey, long> Runs);

/// <summary>The attributes a probe run is counted under.</summary>
/// <param name="Result">success, failure or error (could not run).</param>
public readonly record struct ProbeRunKey(string Container, ProbeKind Kind, string Handler, string Result);
