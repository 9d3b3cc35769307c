using Gateway.Probes;
using Gateway.Runtimes;

namespace Gateway.Pods;

/// <summary>
/// One running instance of a pod's container and how its probes and hooks reach it. Made once per
/// instance and immutable: probe workers and stop tasks get it by value.
/// </summary>
/// <param name="Name">The container's name.</param>
/// <param name="Instance">The runtime's instance.</param>
/// <param name="Target">The pod's address, the container's ports and the environment the instance was started with.</param>
internal sealed record RunningContainer(string Name, IContainerInstance Instance, ProbeTarget Target)
{
    /// <summary><paramref name="instance"/> of <paramref name="container"/> in <paramref name="pod"/>, started with <paramref name="environment"/>.</summary>
    public static RunningContainer Of(PodState pod, string container, IContainerInstance instance, IReadOnlyDictionary<string, string> environment) =>
        new(container, instance, new ProbeTarget
        {
            PodIp = pod.PodIp,
            Ports = pod.Ports.TryGetValue(container, out var ports) ? ports : [],
            Environment = environment,
            Exec = instance.ExecAsync,
        });
}
