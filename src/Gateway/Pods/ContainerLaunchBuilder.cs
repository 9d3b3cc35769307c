using System.Collections.Immutable;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>Builds a container's final environment and argv from its spec, the way the kubelet does.</summary>
public static class ContainerLaunchBuilder
{
    /// <summary>
    /// The environment: <c>PORT</c> (first declared port), <c>PORT_&lt;NAME&gt;</c>, <c>POD_NAME</c>,
    /// <c>POD_NAMESPACE</c>, <c>POD_IP</c> and <c>GATEWAY_CONFIG_DIR</c>, then the container's
    /// <c>env</c> in order, each value expanded from what came before it.
    /// </summary>
    public static Dictionary<string, string> Environment(PodState pod, V1Container container, IReadOnlyList<PortMapping> ports, string? configDirectory)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(ports);
        var baseline = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["POD_NAME"] = pod.Name,
            ["POD_NAMESPACE"] = pod.Namespace,
            ["POD_IP"] = pod.PodIp,
        };
        if (configDirectory is not null)
        {
            baseline["GATEWAY_CONFIG_DIR"] = configDirectory;
        }

        if (ports.Count > 0)
        {
            baseline["PORT"] = ports[0].HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
        {
            baseline[$"PORT_{port.Name!.ToUpperInvariant().Replace('-', '_')}"] = port.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var env = (container.Env ?? []).Select(e => new KeyValuePair<string, string>(e.Name, e.Value ?? string.Empty));
        return EnvExpansion.ExpandEnvironment(env, baseline);
    }

    /// <summary><c>command</c> + <c>args</c> expanded; with no command, <c>args[0]</c> is the program.</summary>
    public static ImmutableArray<string> Argv(V1Container container, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(environment);
        return [.. EnvExpansion.Expand(container.Command, environment), .. EnvExpansion.Expand(container.Args, environment)];
    }
}
