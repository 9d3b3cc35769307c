using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.TestSupport;

/// <summary>Validated-looking services for pod and controller tests.</summary>
internal static class ServiceSpecs
{
    public static ServiceSpec Create(V1PodSpec podSpec, int replicas = 1, string? podName = null, string name = "web") => new()
    {
        Name = name,
        Route = new RouteSpec("/", []),
        Backend = new PodsBackend
        {
            Replicas = replicas,
            PodSpec = podSpec,
            Labels = new Dictionary<string, string> { ["app"] = name },
            PodName = podName,
            TemplateHash = "5d4f8c7b9",
        },
        ConfigDirectory = "/tmp",
    };

    public static V1PodSpec PodSpec(string restartPolicy, long grace, params V1Container[] containers) => new()
    {
        RestartPolicy = restartPolicy,
        TerminationGracePeriodSeconds = grace,
        Containers = [.. containers],
    };
}
