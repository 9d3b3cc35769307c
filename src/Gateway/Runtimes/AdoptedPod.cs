using System.Collections.Immutable;

namespace Gateway.Runtimes;

/// <summary>A pod an earlier gateway started whose containers all still run and match the current spec.</summary>
/// <param name="ServiceName">The service it belongs to.</param>
/// <param name="Name">The pod's name, kept.</param>
/// <param name="Uid">The pod's uid, kept.</param>
/// <param name="Ports">The host ports its containers were given (they listen on them).</param>
/// <param name="Containers">One running instance per container of the spec.</param>
public sealed record AdoptedPod(
    string ServiceName,
    string Name,
    string Uid,
    ImmutableDictionary<string, ImmutableArray<PortMapping>> Ports,
    IReadOnlyList<AdoptedContainer> Containers)
{
    /// <summary>The file naming the pod's own network namespace (Pod network mode), which it keeps; null: the host's network.</summary>
    public string? NetworkNamespace { get; init; }
}

/// <summary>A running container instance taken over from an earlier gateway.</summary>
/// <param name="TerminationMessageFile">The host file the instance was given for its termination message, when the runtime knows it (a Process app's, in the earlier gateway's folder); null: the usual one.</param>
public sealed record AdoptedContainer(string Name, IContainerInstance Instance, int RestartCount, DateTimeOffset StartedAt, string? TerminationMessageFile = null);
