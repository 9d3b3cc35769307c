using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>The container runtimes the gateway has, by the name a service's <c>Runtime</c> gives.</summary>
public sealed class ContainerRuntimes
{
    private readonly IReadOnlyDictionary<RuntimeKind, IContainerRuntime> _runtimes;
    private readonly IContainerRuntime? _only;

    public ContainerRuntimes(IReadOnlyDictionary<RuntimeKind, IContainerRuntime> runtimes) => _runtimes = runtimes;

    /// <summary>One runtime for every kind (tests, and gateways that run a single runtime).</summary>
    public ContainerRuntimes(IContainerRuntime only)
    {
        _runtimes = new Dictionary<RuntimeKind, IContainerRuntime>();
        _only = only;
    }

    /// <summary>The runtime of <paramref name="kind"/>, or null when the gateway runs no pods of that kind (e.g. Kubernetes: the cluster runs them).</summary>
    public IContainerRuntime? Find(RuntimeKind kind) => _only ?? _runtimes.GetValueOrDefault(kind);

    public IContainerRuntime For(RuntimeKind kind) =>
        _only ?? (_runtimes.TryGetValue(kind, out var runtime) ? runtime : throw new InvalidOperationException($"no {kind} runtime is configured"));
}
