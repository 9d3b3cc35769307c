using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

public sealed class TerminationOrderTests
{
    private static readonly PodState Pod = Create("Always", [Container("web"), Container("worker")],
        [Container("migrate"), Sidecar("logs"), Sidecar("proxy")]);

    [Theory]
    [InlineData("web", "web,worker,logs,proxy", "")]
    [InlineData("worker", "web,worker,logs,proxy", "")]
    [InlineData("proxy", "web,worker,logs,proxy", "web,worker")]
    [InlineData("logs", "web,worker,logs,proxy", "web,worker,proxy")]
    [InlineData("logs", "logs,proxy", "proxy")]
    [InlineData("logs", "logs", "")]
    [InlineData("proxy", "proxy", "")]
    public void WaitsFor_SidecarsAfterTheContainersInReverseOrder(string container, string stopping, string expected)
    {
        var waits = TerminationOrder.WaitsFor(Pod, container, stopping.Split(','));

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), waits);
    }
}
