using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class StopPlanTests
{
    // grace; when the stop signal goes (s after the start); then: the drain's deadline and the wait before SIGKILL.
    [Theory]
    [InlineData(30, 0, 28, 30)]
    [InlineData(30, 10, 28, 20)]
    [InlineData(30, 28, 28, 2)]
    [InlineData(6, 4, 4, 2)]
    [InlineData(6, 9, 4, 2)]
    [InlineData(2, 0, 0, 2)]
    [InlineData(0, 0, 0, 2)]
    public void Start_DrainLeavesTheStopSignalTwoSeconds_AndSigkillNeverFollowsSooner(int grace, int signalAt, int drainDeadline, int killAfter)
    {
        var plan = StopPlan.Start(T0, TimeSpan.FromSeconds(grace));

        Assert.Equal((T0.AddSeconds(grace), T0.AddSeconds(drainDeadline)), (plan.Deadline, plan.DrainDeadline));
        Assert.Equal(TimeSpan.FromSeconds(killAfter), plan.StopSignalGrace(T0.AddSeconds(signalAt)));
    }
}
