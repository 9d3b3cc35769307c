using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class ContainerInstancesTests
{
    private readonly PodHarness _harness = new();

    [Fact]
    public async Task With_ANewInstance_ReplacesTheCurrentOneAndKeepsItsLogAsThePrevious()
    {
        var pod = PodHarness.Pod(Container("app"));
        var (first, second) = (await _harness.StartAsync(pod, "app"), await _harness.StartAsync(pod, "app"));

        var once = ContainerInstances.Empty.With(first, out var noneReplaced);
        var twice = once.With(second, out var replaced);

        Assert.Null(noneReplaced);
        Assert.Same(first.Instance, replaced);
        Assert.Same(second, twice.Current["app"]);
        Assert.Same(first, once.Current["app"]);
        Assert.Equal(("log of i2\n", "log of i1\n"), (twice.ReadLog("app", previous: false)?.ToString(), twice.ReadLog("app", previous: true)?.ToString()));
        Assert.Equal(("log of i1\n", null), (once.ReadLog("app", previous: false)?.ToString(), once.ReadLog("app", previous: true)?.ToString()));
    }

    [Fact]
    public void ReadLog_NoInstance_IsNull()
    {
        Assert.Empty(ContainerInstances.Empty.Current);
        Assert.Null(ContainerInstances.Empty.ReadLog("app", previous: false));
        Assert.Null(ContainerInstances.Empty.ReadLog("app", previous: true));
    }
}
