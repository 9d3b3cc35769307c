using Gateway.Specs;
using System.Runtime.CompilerServices;
using Gateway.Probes;
using Gateway.Tests.TestSupport;
using k8s.Models;

namespace Gateway.Tests.Fakes;

/// <summary>
/// An <see cref="IProber"/> whose outcomes the test sets per (container, probe kind). Each call
/// completes synchronously, so everything a probe worker does after it happens in one run on the
/// worker's thread. Calls are recorded with the (fake) time they were made at.
/// </summary>
internal sealed class ScriptedProber(TimeProvider time) : IProber
{
    private readonly Lock _lock = new();
    private readonly ConditionalWeakTable<V1Probe, Tuple<string, ProbeKind>> _probes = [];
    private readonly Dictionary<(string Container, ProbeKind Kind), Queue<ProbeOutcome>> _scripts = [];
    private readonly Dictionary<(string Container, ProbeKind Kind), ProbeOutcome> _defaults = [];
    private readonly List<ProbeCall> _calls = [];
    private readonly ConditionSignal _changed = new();

    /// <summary>One run of a probe.</summary>
    public sealed record ProbeCall(string Container, ProbeKind Kind, DateTimeOffset At, ProbeTarget Target);

    /// <summary>Makes every probe of <paramref name="spec"/>'s containers known by its container and kind.</summary>
    public ScriptedProber Track(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            Track(container.StartupProbe, container.Name, ProbeKind.Startup);
            Track(container.LivenessProbe, container.Name, ProbeKind.Liveness);
            Track(container.ReadinessProbe, container.Name, ProbeKind.Readiness);
        }

        return this;
    }

    public ScriptedProber Track(V1Probe? probe, string container, ProbeKind kind)
    {
        if (probe is not null)
        {
            _probes.AddOrUpdate(probe, Tuple.Create(container, kind));
        }

        return this;
    }

    /// <summary>The outcome of every run from now on, after any queued with <see cref="Then"/>.</summary>
    public ScriptedProber Always(string container, ProbeKind kind, ProbeOutcome outcome)
    {
        lock (_lock)
        {
            _defaults[(container, kind)] = outcome;
        }

        return this;
    }

    /// <summary>Queues outcomes for the next runs, one each; the <see cref="Always"/> one follows.</summary>
    public ScriptedProber Then(string container, ProbeKind kind, params ProbeOutcome[] outcomes)
    {
        lock (_lock)
        {
            if (!_scripts.TryGetValue((container, kind), out var queue))
            {
                _scripts[(container, kind)] = queue = new Queue<ProbeOutcome>();
            }

            foreach (var outcome in outcomes)
            {
                queue.Enqueue(outcome);
            }
        }

        return this;
    }

    public IReadOnlyList<ProbeCall> Calls(string container, ProbeKind kind)
    {
        lock (_lock)
        {
            return [.. _calls.Where(c => c.Container == container && c.Kind == kind)];
        }
    }

    /// <summary>Completes once the probe has run <paramref name="count"/> times in all; returns those calls.</summary>
    public async Task<IReadOnlyList<ProbeCall>> WaitForCallsAsync(string container, ProbeKind kind, int count)
    {
        await _changed.WaitAsync(() => Calls(container, kind).Count >= count, $"{count} {kind} probe call(s) of {container}");
        return Calls(container, kind);
    }

    public Task<ProbeOutcome> ProbeAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
    {
        if (!_probes.TryGetValue(probe, out var key))
        {
            throw new InvalidOperationException("probe not tracked: call Track first");
        }

        var (container, kind) = key;
        ProbeOutcome outcome;
        lock (_lock)
        {
            outcome = _scripts.TryGetValue((container, kind), out var queue) && queue.TryDequeue(out var next)
                ? next
                : _defaults.GetValueOrDefault((container, kind), ProbeOutcome.Success());
            _calls.Add(new ProbeCall(container, kind, time.GetUtcNow(), target));
        }

        _changed.Notify();
        return Task.FromResult(outcome);
    }
}
