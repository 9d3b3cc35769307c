using System.Collections.Immutable;
using Gateway.Runtimes;
using Gateway.Runtimes.Docker;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Docker;

public sealed class AdoptionPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ServiceSpec Service(string name = "web", int replicas = 1, RuntimeKind runtime = RuntimeKind.Docker, string? podName = null, bool init = false) => new()
    {
        Name = name,
        Route = new RouteSpec("/{**catch-all}", []),
        Backend = new PodsBackend
        {
            Runtime = runtime,
            Replicas = replicas,
            PodName = podName,
            PodSpec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app", Image = "busybox" }, new V1Container { Name = "side", Image = "busybox" }],
                InitContainers = init ? [new V1Container { Name = "init", Image = "busybox" }] : null,
            },
            Labels = new Dictionary<string, string> { ["app"] = name },
            TemplateHash = "h1",
        },
        ConfigDirectory = "/tmp",
    };

    private static LabelledContainer Found(string id, string pod, string container, string service = "web", string hash = "h1", bool running = true, int createdSecond = 0) =>
        new(id, service, pod, "uid-" + pod, container, hash, 2, running, T0.AddSeconds(createdSecond), ImmutableArray<PortMapping>.Empty);

    private static (string[] Adopted, string[] Removed) Decide(ServiceSpec service, params LabelledContainer[] found)
    {
        var (adopt, remove) = AdoptionPlan.Decide([service], found);
        return ([.. adopt.Select(p => p.Pod)], [.. remove.Order(StringComparer.Ordinal)]);
    }

    [Fact]
    public void Decide_APodWhoseContainersAllRunAndMatch_IsAdopted()
    {
        var (adopted, removed) = Decide(Service(), Found("1", "web-a", "app"), Found("2", "web-a", "side"));

        Assert.Equal(["web-a"], adopted);
        Assert.Empty(removed);
    }

    private static readonly Dictionary<string, (ServiceSpec Service, LabelledContainer[] Found)> RejectedCases = new()
    {
        { "an old template", (Service(), [Found("1", "web-a", "app", hash: "h0"), Found("2", "web-a", "side")]) },
        { "a container that exited", (Service(), [Found("1", "web-a", "app", running: false), Found("2", "web-a", "side")]) },
        { "a container missing", (Service(), [Found("1", "web-a", "app")]) },
        { "a container twice", (Service(), [Found("1", "web-a", "app"), Found("2", "web-a", "side"), Found("3", "web-a", "side")]) },
        { "a service no longer configured", (Service(), [Found("1", "old-a", "app", service: "old"), Found("2", "old-a", "side", service: "old")]) },
        { "a service now on another runtime", (Service(runtime: RuntimeKind.Process), [Found("1", "web-a", "app"), Found("2", "web-a", "side")]) },
        { "a bare pod of another name", (Service(podName: "seed"), [Found("1", "web-a", "app"), Found("2", "web-a", "side")]) },
        { "a pod with init containers", (Service(init: true), [Found("1", "web-a", "app"), Found("2", "web-a", "side")]) },
    };

    public static TheoryData<string> Rejected => [.. RejectedCases.Keys];

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Decide_APodThatDoesNotMatch_IsRemovedWhole(string why)
    {
        var (service, found) = RejectedCases[why];
        var (adopted, removed) = Decide(service, found);

        Assert.True(adopted.Length == 0, why);
        Assert.Equal(found.Select(c => c.Id).Order(StringComparer.Ordinal), removed);
    }

    [Fact]
    public void Decide_MorePodsThanReplicas_KeepsTheOldestAndRemovesTheRest()
    {
        var (adopted, removed) = Decide(Service(replicas: 1),
            Found("1", "web-new", "app", createdSecond: 9), Found("2", "web-new", "side", createdSecond: 9),
            Found("3", "web-old", "app", createdSecond: 1), Found("4", "web-old", "side", createdSecond: 1));

        Assert.Equal(["web-old"], adopted);
        Assert.Equal(["1", "2"], removed);
    }
}
