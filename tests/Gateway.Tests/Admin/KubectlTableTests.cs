using Gateway.Admin;
using k8s.Models;

namespace Gateway.Tests.Admin;

public sealed class KubectlTableTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(200, "3m20s")]
    [InlineData(180, "3m")]
    [InlineData(720, "12m")]
    [InlineData(5 * 3600 + 180, "5h3m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 4 * 3600, "3d4h")]
    [InlineData(40 * 86400, "40d")]
    [InlineData(740 * 86400, "2y10d")]
    public void HumanDuration_AsKubernetesPrintsIt(int seconds, string want) =>
        Assert.Equal(want, KubectlTable.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", true)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsWanted_KubectlAcceptHeader(string? accept, bool want) => Assert.Equal(want, KubectlTable.IsWanted(accept));

    private static V1Pod Pod(string phase, params V1ContainerState[] states) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1" },
        Spec = new V1PodSpec { Containers = [.. states.Select((_, i) => new V1Container { Name = $"c{i}" })] },
        Status = new V1PodStatus
        {
            Phase = phase,
            ContainerStatuses = [.. states.Select((s, i) => new V1ContainerStatus { Name = $"c{i}", State = s, Ready = s.Running is not null, RestartCount = i })],
        },
    };

    private static readonly V1ContainerState Running = new() { Running = new V1ContainerStateRunning() };

    [Fact]
    public void StatusColumn_WaitingReasonWinsOverPhase()
    {
        var pod = Pod("Running", Running, new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } });

        Assert.Equal("CrashLoopBackOff", KubectlTable.StatusColumn(pod));
        Assert.Equal("1/2", KubectlTable.ReadyColumn(pod));
        Assert.Equal("1", KubectlTable.RestartsColumn(pod, DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData(true, "Running")]
    [InlineData(false, "Completed")]
    public void StatusColumn_OneContainerCompletedAnotherRunningReady_Running(bool otherRunning, string want)
    {
        var completed = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } };
        var pod = otherRunning ? Pod("Running", completed, Running) : Pod("Succeeded", completed);

        Assert.Equal(want, KubectlTable.StatusColumn(pod));
    }

    [Fact]
    public void StatusColumn_Deleting_Terminating()
    {
        var pod = Pod("Running", Running);
        pod.Metadata.DeletionTimestamp = DateTime.UnixEpoch;

        Assert.Equal("Terminating", KubectlTable.StatusColumn(pod));
    }

    [Fact]
    public void StatusColumn_TerminatedWithoutReason_ExitCode() =>
        Assert.Equal("ExitCode:3", KubectlTable.StatusColumn(Pod("Failed", new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 3 } })));

    [Fact]
    public void RestartsColumn_LastTermination_SaysHowLongAgo()
    {
        var pod = Pod("Running", Running, Running);
        pod.Status.ContainerStatuses[1].LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { FinishedAt = DateTime.UnixEpoch } };

        Assert.Equal("1 (5m ago)", KubectlTable.RestartsColumn(pod, DateTimeOffset.UnixEpoch.AddMinutes(5)));
    }

    [Theory]
    [InlineData(null, null, "<none>")]
    [InlineData("example.com/lb", "False", "0/1")]
    [InlineData("example.com/lb", "True", "1/1")]
    public void ReadinessGatesColumn_GatesAndTheirConditions(string? gate, string? status, string expected)
    {
        var pod = new k8s.Models.V1Pod
        {
            Spec = new k8s.Models.V1PodSpec { ReadinessGates = gate is null ? null : [new k8s.Models.V1PodReadinessGate { ConditionType = gate }] },
            Status = new k8s.Models.V1PodStatus { Conditions = gate is null ? null : [new k8s.Models.V1PodCondition { Type = gate, Status = status }] },
        };

        Assert.Equal(expected, KubectlTable.ReadinessGatesColumn(pod));
    }

    [Fact]
    public void Deployments_KubectlsColumns()
    {
        var deployment = new k8s.Models.V1Deployment
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "web", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
            Spec = new k8s.Models.V1DeploymentSpec { Replicas = 3, Selector = new k8s.Models.V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } } },
            Status = new k8s.Models.V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 1, AvailableReplicas = 2 },
        };

        var table = KubectlTable.Deployments([deployment], new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero));

        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], table["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Equal(["web", "2/3", "1", "2", "30s", "", "", "app=web"], table["rows"]![0]!["cells"]!.AsArray().Select(c => (string)c!));
    }
}
