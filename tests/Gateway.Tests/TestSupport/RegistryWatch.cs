using Gateway.Pods;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// Keeps every state the registry published, in order, so a test can wait for (and inspect) a
/// state that may last only an instant, such as a container's first moments after a restart.
/// </summary>
internal sealed class RegistryWatch : IDisposable
{
    private readonly PodRegistry _registry;
    private readonly Lock _lock = new();
    private readonly List<PodState> _history = [];
    private readonly ConditionSignal _changed = new();

    public RegistryWatch(PodRegistry registry)
    {
        _registry = registry;
        _registry.Changed += OnChanged;
    }

    public void Dispose() => _registry.Changed -= OnChanged;

    /// <summary>The first published state of pod <paramref name="name"/> that matches.</summary>
    public async Task<PodState> WaitForAsync(string name, Func<PodState, bool> match, string what)
    {
        PodState? found = null;
        await _changed.WaitAsync(() => (found = Find(name, match)) is not null, $"pod {name}: {what}");
        return found!;
    }

    /// <summary>The first published state of any pod that matches.</summary>
    public async Task<PodState> WaitForAnyAsync(Func<PodState, bool> match, string what)
    {
        PodState? found = null;
        await _changed.WaitAsync(() => (found = Find(null, match)) is not null, what);
        return found!;
    }

    /// <summary>Completes once the registry's current snapshot satisfies <paramref name="condition"/>.</summary>
    public Task WaitForCurrentAsync(Func<IReadOnlyCollection<PodState>, bool> condition, string what) =>
        _changed.WaitAsync(() => condition([.. _registry.Pods.Values]), what);

    private PodState? Find(string? name, Func<PodState, bool> match)
    {
        lock (_lock)
        {
            return _history.FirstOrDefault(p => (name is null || p.Name == name) && match(p));
        }
    }

    private void OnChanged(PodState? before, PodState? after)
    {
        if (after is not null)
        {
            lock (_lock)
            {
                _history.Add(after);
            }
        }

        _changed.Notify();
    }
}
