using Gateway.Admin;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Admin;

public sealed class PodMapperTests
{
    [Fact]
    public void ToV1Pod_Unscheduled_PendingWithTheSchedulersConditionAndNoNodeIpOrContainerStatus()
    {
        var pod = PodMapper.ToV1Pod(Single("Always") with { Scheduled = false });

        Assert.Equal("Pending", pod.Status.Phase);
        var condition = Assert.Single(pod.Status.Conditions);
        Assert.Equal(("PodScheduled", "False", "Unschedulable", "0/1 nodes are available: 1 Too many pods."), (condition.Type, condition.Status, condition.Reason, condition.Message));
        Assert.Null(pod.Spec.NodeName);
        Assert.Null(pod.Status.PodIP);
        Assert.Null(pod.Status.ContainerStatuses);
    }

    [Fact]
    public void ToV1Pod_Scheduled_PodScheduledTrueOnTheGatewayNode()
    {
        var pod = PodMapper.ToV1Pod(Single("Always"));

        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");
        Assert.Equal(PodMapper.NodeName, pod.Spec.NodeName);
    }

    private static Gateway.Pods.PodState WithPort80(string podIp, int hostPort)
    {
        var container = Container("app");
        container.Ports = [new k8s.Models.V1ContainerPort { ContainerPort = 80 }];
        return Create("Always", [container]) with
        {
            PodIp = podIp,
            Ports = System.Collections.Immutable.ImmutableDictionary<string, System.Collections.Immutable.ImmutableArray<Gateway.Runtimes.PortMapping>>.Empty
                .Add("app", [new Gateway.Runtimes.PortMapping(null, 80, hostPort)]),
        };
    }

    [Fact]
    public void ToV1Pod_OfItsOwnNetwork_PodIpIsItsOwn_NoHostPort_TheHostsIp()
    {
        var pod = PodMapper.ToV1Pod(WithPort80("127.1.0.7", 80));

        Assert.Equal("127.1.0.7", pod.Status.PodIP);
        Assert.Equal("127.0.0.1", pod.Status.HostIP);
        Assert.Null(pod.Spec.Containers[0].Ports[0].HostPort);
        Assert.Null(pod.Spec.Containers[0].Ports[0].HostIP);
    }

    [Fact]
    public void ToV1Pod_OnTheHostsNetwork_ShowsTheHostPortItWasGiven()
    {
        var pod = PodMapper.ToV1Pod(WithPort80("127.0.0.1", 41234));

        Assert.Equal("127.0.0.1", pod.Status.PodIP);
        Assert.Equal(41234, pod.Spec.Containers[0].Ports[0].HostPort);
    }

    [Fact]
    public void KubectlTablePods_Unscheduled_ShowsPendingAsKubectlDoes()
    {
        var table = KubectlTable.Pods([PodMapper.ToV1Pod(Single("Always") with { Scheduled = false })], T0.AddSeconds(5));

        var cells = table["rows"]![0]!["cells"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(["web-abc-xyz12", "0/1", "Pending", "0", "5s", "<none>", "<none>", "<none>", "<none>"], cells);
    }

    [Theory]
    [InlineData("Deployment", "web")]
    [InlineData("ReplicaSet", "web-7d9f8c6b5")]
    public void ToV1Event_OfADeploymentOrReplicaSet_TheObjectsUidAndGroup(string kind, string name)
    {
        var recorder = new Gateway.Events.EventRecorder(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Gateway.Events.EventRecorder>.Instance);
        recorder.Record("default", name, "", "Normal", "SpecChanged", "scaled from 2 to 3 replicas", kind: kind);

        var involved = PodMapper.ToV1Event(recorder.Snapshot.Single()).InvolvedObject;

        // kubectl describe selects the events by involvedObject.uid: the uid the Deployment or ReplicaSet shows.
        Assert.Equal((DeploymentMapper.Uid(kind, name), "apps/v1"), (involved.Uid, involved.ApiVersion));
    }
}
