using Gateway.Admin;
using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Admin;

public sealed class PodSummaryTests
{
    [Theory]
    [InlineData(45, "45s")]
    [InlineData(119, "119s")]
    [InlineData(192, "3m12s")]
    [InlineData(1500, "25m")]
    [InlineData(16200, "4h30m")]
    [InlineData(36000, "10h")]
    [InlineData(183600, "2d3h")]
    [InlineData(1036800, "12d")]
    public void Age_LikeKubectl(int seconds, string expected) => Assert.Equal(expected, PodSummary.Age(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Columns_CrashLoopingPod_ShowWaitingReasonAndLastRestart()
    {
        var pod = Create("Always", [Container("app")]);
        pod = pod.With(pod.Containers[0] with
        {
            WaitingReason = "CrashLoopBackOff",
            InstancesStarted = 3,
            LastTermination = new Termination(1, "Error", null, T0, T0.AddSeconds(10), "i3"),
        }) with { Phase = PodPhase.Running };

        Assert.Equal("0/1", PodSummary.Ready(pod));
        Assert.Equal("CrashLoopBackOff", PodSummary.Status(pod));
        Assert.Equal("2 (5s ago)", PodSummary.Restarts(pod, T0.AddSeconds(15)));
        Assert.Equal("Terminating", PodSummary.Status(pod with { DeletionTimestamp = T0 }));
    }
}
