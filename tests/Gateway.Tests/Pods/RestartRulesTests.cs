using Gateway.Pods;
using k8s.Models;

namespace Gateway.Tests.Pods;

public sealed class RestartRulesTests
{
    [Theory]
    [InlineData("Always", 0, false, true)]
    [InlineData("Always", 1, false, true)]
    [InlineData("Always", 137, false, true)]
    [InlineData("OnFailure", 0, false, false)]
    [InlineData("OnFailure", 1, false, true)]
    [InlineData("OnFailure", 137, false, true)]
    [InlineData("Never", 0, false, false)]
    [InlineData("Never", 1, false, false)]
    [InlineData("Always", 1, true, false)]
    [InlineData("OnFailure", 1, true, false)]
    public void ShouldRestart_PolicyExitCodeAndDeletion(string policy, int exitCode, bool deleting, bool expected) =>
        Assert.Equal(expected, RestartRules.ShouldRestart(policy, exitCode, deleting));

    [Theory]
    [InlineData("Always", 0, true)]
    [InlineData("Always", 143, true)]
    [InlineData("OnFailure", 0, true)]
    [InlineData("OnFailure", 143, true)]
    [InlineData("Never", 0, false)]
    [InlineData("Never", 137, false)]
    public void ShouldRestart_KilledForAProbe_RestartsUnlessNeverWhateverTheExitCode(string policy, int exitCode, bool expected)
    {
        Assert.Equal(expected, RestartRules.ShouldRestart(policy, exitCode, podDeleting: false, killedForProbe: true));
        Assert.Equal(expected, RestartRules.RestartsAfterProbeKill(policy));
    }

    [Fact]
    public void BackoffDelay_FollowsCrashLoopBackOff()
    {
        var delays = Enumerable.Range(0, 10).Select(step => (int)RestartRules.BackoffDelay(step).TotalSeconds);

        Assert.Equal([0, 10, 20, 40, 80, 160, 300, 300, 300, 300], delays);
    }


    [Theory]
    [InlineData(null, null, 30)]
    [InlineData(null, 45L, 45)]
    [InlineData(10L, 45L, 10)]
    [InlineData(1L, 45L, 2)]
    [InlineData(null, 0L, 2)]
    [InlineData(null, 1L, 2)]
    public void KillGracePeriod_ProbeElsePodNeverBelowTwoSeconds(long? probeGrace, long? podGrace, int expectedSeconds)
    {
        var probe = new V1Probe { TerminationGracePeriodSeconds = probeGrace };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RestartRules.KillGracePeriod(probe, podGrace));
    }
}
