using Gateway.Runtimes;

namespace Gateway.Probes;

/// <summary>Runs a command inside one container instance, killing it after <paramref name="timeout"/>.</summary>
public delegate Task<ExecResult> ContainerExec(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

/// <summary>Everything a probe handler needs to know about the container instance it probes.</summary>
public sealed class ProbeTarget
{
    /// <summary>The pod's address; the default host of httpGet, tcpSocket and grpc probes.</summary>
    public required string PodIp { get; init; }

    /// <summary>The container's declared ports with the host ports they were given.</summary>
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    /// <summary>The container's own environment (its <c>env</c>, expanded); exec probes expand <c>$(VAR)</c> from it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Runs a command in the container instance (exec probes and preStop hooks).</summary>
    public required ContainerExec Exec { get; init; }

    /// <summary>
    /// Resolves a probe's port: a name from <c>ports[].name</c>, or a number. A declared container
    /// port maps to the host port the runtime gave it; an undeclared number is used as it is.
    /// Returns null when a name matches no declared port.
    /// </summary>
    public int? ResolvePort(string port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            foreach (var mapping in Ports)
            {
                if (mapping.ContainerPort == number)
                {
                    return mapping.HostPort;
                }
            }

            return number;
        }

        foreach (var mapping in Ports)
        {
            if (string.Equals(mapping.Name, port, StringComparison.Ordinal))
            {
                return mapping.HostPort;
            }
        }

        return null;
    }
}
