using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>
/// The container runtimes the gateway has, by the name a service's <c>Runtime</c> gives. Each is made
/// when first asked for, so that a gateway with no Docker service never loads Docker's client.
/// </summary>
public sealed class ContainerRuntimes
{
    private readonly IReadOnlyDictionary<RuntimeKind, Lazy<IContainerRuntime>> _runtimes;

    public ContainerRuntimes(IReadOnlyDictionary<RuntimeKind, IContainerRuntime> runtimes)
        : this(runtimes.ToDictionary(r => r.Key, r => new Lazy<IContainerRuntime>(r.Value)))
    {
    }

    public ContainerRuntimes(IReadOnlyDictionary<RuntimeKind, Lazy<IContainerRuntime>> runtimes) => _runtimes = runtimes;

    /// <summary>The runtime of <paramref name="kind"/>, or null when none is configured for it.</summary>
    public IContainerRuntime? Find(RuntimeKind kind) => _runtimes.GetValueOrDefault(kind)?.Value;

    public IContainerRuntime For(RuntimeKind kind) =>
        _runtimes.TryGetValue(kind, out var runtime) ? runtime.Value : throw new InvalidOperationException($"no {kind} runtime is configured");
}
