using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Runtimes;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Routing;

/// <summary>Pods with one declared port, in the states routing cares about.</summary>
internal static class Endpoints
{
    /// <summary>A pod of service <c>web</c> whose container <c>app</c> declares port 8080, mapped to <paramref name="hostPort"/>.</summary>
    public static PodState Pod(string name, int hostPort = 31000) => Create("Always", [Container("app")]) with
    {
        Name = name,
        Ports = ImmutableDictionary<string, ImmutableArray<PortMapping>>.Empty.Add("app", [new PortMapping("http", 8080, hostPort)]),
    };

    /// <summary><paramref name="pod"/> with its container running as <paramref name="instance"/>, ready or not.</summary>
    public static PodState Running(PodState pod, string instance = "i1", bool ready = true, bool deleting = false) => pod with
    {
        Phase = PodPhase.Running,
        DeletionTimestamp = deleting ? T0 : null,
        Containers = [pod.Containers[0] with
        {
            State = ContainerRunState.Running,
            InstanceId = instance,
            HasReadinessProbe = true,
            Readiness = ready ? Gateway.Probes.ProbeResult.Success : Gateway.Probes.ProbeResult.Failure,
        }],
    };
}
