using k8s.Models;

namespace Gateway.Specs;

/// <summary>The port names a container declares, which its probes and hooks may use in place of numbers.</summary>
/// <param name="Path">The path of the container's <c>ports</c>, for messages.</param>
/// <param name="Names">The names declared in <c>ports[].name</c>.</param>
internal sealed record DeclaredPorts(string Path, IReadOnlySet<string> Names)
{
    /// <summary>What to say of a name outside <see cref="Names"/>; null: that it must be declared in <see cref="Path"/>.</summary>
    public string? UndeclaredDetail { get; init; }

    public static DeclaredPorts Of(V1Container container, string containerPath) => new(
        FieldPath.Child(containerPath, "ports"),
        (container.Ports ?? []).Select(port => port?.Name).OfType<string>().Where(name => name.Length > 0).ToHashSet(StringComparer.Ordinal));

    /// <summary>The detail of an error for a port name that is not declared.</summary>
    public string Undeclared => UndeclaredDetail ?? $"must be a port name declared in {Path}; declare it there or use a port number";
}
