using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using Gateway.Tests.TestSupport;
using k8s.Models;

namespace Gateway.Tests.Controllers;

/// <summary>Services, templates and pods for the Deployment tests.</summary>
internal static class Deployments
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ServiceSpec Service(int replicas = 2, string hash = "h1", string command = "app") => ServiceSpecs.Create(
        new V1PodSpec { Containers = [new V1Container { Name = "web", Command = [command] }] }, replicas) is var s
        ? s with { Backend = s.Pods! with { TemplateHash = hash } }
        : throw new InvalidOperationException();

    public static PodTemplate Template(string hash, string command = "app") =>
        new(new V1PodSpec { Containers = [new V1Container { Name = "web", Command = [command] }] }, new Dictionary<string, string> { ["app"] = "web" }, new Dictionary<string, string>(), hash);

    /// <summary>Pods written <c>hash:state</c>: <c>R+</c> running and ready, <c>R-</c> running not ready, <c>P</c> pending, <c>F</c> failed, a trailing <c>x</c> terminating.</summary>
    public static IReadOnlyCollection<PodState> Pods(string pods) =>
    [
        .. pods.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((p, i) =>
        {
            var (hash, state) = (p.Split(':')[0], p.Split(':')[1]);
            var pod = Gateway.Tests.Pods.PodStates.Single("Always") with { Name = $"web-{hash}-{i}", TemplateHash = hash };
            pod = state.TrimEnd('x') switch
            {
                "R+" => pod with { Phase = PodPhase.Running, Containers = [pod.Containers[0] with { State = ContainerRunState.Running }] },
                "R-" => pod with { Phase = PodPhase.Running, Containers = [pod.Containers[0] with { State = ContainerRunState.Running, HasReadinessProbe = true }] },
                "F" => pod with { Phase = PodPhase.Failed },
                _ => pod,
            };
            return state.EndsWith('x') ? pod with { DeletionTimestamp = T0 } : pod;
        }),
    ];
}
