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
}
