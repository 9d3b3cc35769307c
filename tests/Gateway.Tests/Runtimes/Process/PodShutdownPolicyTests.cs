using Gateway.Runtimes;

namespace Gateway.Tests.Runtimes.Process;

public sealed class PodShutdownPolicyTests
{
    [Fact]
    public void KeepPods_follows_the_setting_until_set_at_run_time()
    {
        var setting = false;
        var policy = new PodShutdownPolicy(() => setting);
        Assert.False(policy.KeepPods);
        setting = true;
        Assert.True(policy.KeepPods);

        policy.KeepPods = false;
        Assert.False(policy.KeepPods);
        policy.KeepPods = true;
        setting = false;
        Assert.True(policy.KeepPods);
    }
}
