using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>The container runtimes the gateway has, by the name a service's <c>Runtime</c> gives.</summary>
public sealed class ContainerRuntimes
{
    private readonly IReadOnlyDictionary<RuntimeKind, IContainerRuntime> _runtimes;

    public ContainerRuntimes(IReadOnlyDictionary<RuntimeKind, IContainerRuntime> runtimes) => _runtimes = runtimes;

    /// <summary>The runtime of <paramref name="kind"/>, or null when none is configured for it.</summary>
    public IContainerRuntime? Find(RuntimeKind kind) => _runtimes.GetValueOrDefault(kind);

    public IContainerRuntime For(RuntimeKind kind) =>
        _runtimes.TryGetValue(kind, out var runtime) ? runtime : throw new InvalidOperationException($"no {kind} runtime is configured");
}
