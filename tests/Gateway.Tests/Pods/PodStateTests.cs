using Gateway.Pods;
using Gateway.Probes;
using Gateway.Specs;
using k8s.Models;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class PodStateTests
{
    [Fact]
    public void Create_FromTheBackend_CopiesItsTemplateAndIsPendingAndBound()
    {
        var spec = new V1PodSpec { Containers = [Container("app")] };
        var labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" };
        var backend = new PodsBackend { Runtime = RuntimeKind.Docker, PodSpec = spec, Labels = labels, TemplateHash = "5d4f8c7b9" };

        var pod = PodState.Create("web", backend, "web-5d4f8c7b9-abcde", "uid-7", T0);

        Assert.Equal(("web-5d4f8c7b9-abcde", "uid-7", "web", "default"), (pod.Name, pod.Uid, pod.ServiceName, pod.Namespace));
        Assert.Equal((RuntimeKind.Docker, "5d4f8c7b9", T0), (pod.Runtime, pod.TemplateHash, pod.CreatedAt));
        Assert.Same(spec, pod.Spec);
        Assert.Same(labels, pod.Labels);
        Assert.Equal((PodPhase.Pending, true, false), (pod.Phase, pod.Scheduled, pod.IsDeleting));
        Assert.Empty(pod.Ports);
        Assert.Null(pod.StartTime);
    }

    [Theory]
    [InlineData(false, "ContainerCreating")]
    [InlineData(true, "PodInitializing")]
    public void Create_Containers_WaitBehindTheInitContainers(bool withInit, string expectedReason)
    {
        var pod = Create("Always", [Container("app"), Container("sidecar")], withInit ? [Container("init")] : null);

        Assert.All(pod.Containers, c => Assert.Equal((ContainerRunState.Waiting, expectedReason, false), (c.State, c.WaitingReason, c.IsInit)));
        Assert.All(pod.InitContainers, c => Assert.Equal((ContainerRunState.Waiting, "PodInitializing", true), (c.State, c.WaitingReason, c.IsInit)));
        Assert.Equal(withInit ? ["init"] : [], pod.InitContainers.Select(c => c.Name));
        Assert.Equal(["app", "sidecar"], pod.Containers.Select(c => c.Name));
    }

    [Fact]
    public void Create_Containers_KnowTheirProbesAndStartFromTheStartingValues()
    {
        var pod = Create("Always", [Container("app", startup: ExecProbe(), readiness: ExecProbe()), Container("plain", liveness: ExecProbe())]);

        var (probed, plain) = (pod.Containers[0], pod.Containers[1]);
        Assert.Equal((true, true), (probed.HasStartupProbe, probed.HasReadinessProbe));
        Assert.Equal((false, false), (plain.HasStartupProbe, plain.HasReadinessProbe));
        Assert.All(pod.Containers, c => Assert.Equal((ProbeResult.Unknown, ProbeResult.Success, ProbeResult.Failure), (c.Startup, c.Liveness, c.Readiness)));
        Assert.All(pod.Containers, c => Assert.Equal((0, 0, null), (c.InstancesStarted, c.RestartCount, c.InstanceId)));
    }
}
