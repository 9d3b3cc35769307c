using Gateway.Controllers;
using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class ReplicaDecisionTests
{
    /// <summary>
    /// Pods are written <c>name:state:createdSecond</c>; states: <c>R+</c> running and ready,
    /// <c>R-</c> running not ready, <c>P</c> pending, <c>S</c> succeeded, <c>F</c> failed, and a
    /// trailing <c>x</c> for a pod whose deletion has begun.
    /// </summary>
    [Theory]
    [InlineData(3, "", 3, "")]
    [InlineData(3, "a:R+:1 b:R-:2", 1, "")]
    [InlineData(2, "a:R+:1 b:R+:2", 0, "")]
    [InlineData(2, "a:R+:1 b:F:2", 1, "b")]
    [InlineData(2, "a:R+:1 b:S:2", 1, "b")]
    [InlineData(1, "a:F:1 b:S:2", 1, "a b")]
    [InlineData(1, "a:R+:1 b:R+:2x", 0, "")]
    [InlineData(1, "a:F:1x", 1, "")]
    [InlineData(0, "a:R+:1", 0, "a")]
    [InlineData(1, "a:R+:1 b:P:2 c:R-:3", 0, "b c")]
    [InlineData(1, "a:R+:3 b:R-:1 c:P:2", 0, "c b")]
    [InlineData(1, "a:R+:1 b:R+:3 c:R+:2", 0, "b c")]
    [InlineData(2, "a:P:1 b:R-:2 c:R+:3", 0, "a")]
    [InlineData(1, "a:P:1 b:R+:2", 0, "a")]
    [InlineData(1, "a:R-:1 b:R-:2 c:R+:3", 0, "b a")]
    [InlineData(2, "a:F:1 b:R+:2 c:R+:3 d:R+:4", 0, "a d")]
    public void Decide_ReplicatedService_CreatesReplacesAndScalesDown(int replicas, string pods, int expectedCreate, string expectedDelete)
    {
        var (create, delete) = ReplicaDecision.Decide(replicas, barePod: false, barePodCreated: false, Pods(pods));

        Assert.Equal(expectedCreate, create);
        Assert.Equal(expectedDelete.Split(' ', StringSplitOptions.RemoveEmptyEntries), delete);
    }

    [Theory]
    [InlineData(false, "", 1)]
    [InlineData(true, "", 0)]
    [InlineData(true, "solo:F:1", 0)]
    [InlineData(true, "solo:S:1", 0)]
    [InlineData(true, "solo:R+:1", 0)]
    public void Decide_BarePod_CreatedOnceNeverReplaced(bool created, string pods, int expectedCreate)
    {
        var (create, delete) = ReplicaDecision.Decide(1, barePod: true, barePodCreated: created, Pods(pods));

        Assert.Equal(expectedCreate, create);
        Assert.Empty(delete);
    }

    private static List<PodState> Pods(string pods) =>
        [.. pods.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Pod)];

    private static PodState Pod(string description)
    {
        var parts = description.Split(':');
        var state = parts[1];
        var deleting = parts[2].EndsWith('x');
        var created = T0.AddSeconds(int.Parse(parts[2].TrimEnd('x'), System.Globalization.CultureInfo.InvariantCulture));
        var running = new ContainerStatus { Name = "app", State = ContainerRunState.Running, InstanceId = "i1", InstancesStarted = 1, HasReadinessProbe = true };
        var (phase, container) = state switch
        {
            "R+" => (PodPhase.Running, running with { Readiness = Gateway.Probes.ProbeResult.Success }),
            "R-" => (PodPhase.Running, running),
            "P" => (PodPhase.Pending, new ContainerStatus { Name = "app" }),
            "S" => (PodPhase.Succeeded, new ContainerStatus { Name = "app", State = ContainerRunState.Terminated }),
            "F" => (PodPhase.Failed, new ContainerStatus { Name = "app", State = ContainerRunState.Terminated }),
            _ => throw new ArgumentException($"unknown pod state {state}", nameof(description)),
        };

        return Single("Always") with
        {
            Name = parts[0],
            CreatedAt = created,
            Phase = phase,
            Containers = [container],
            DeletionTimestamp = deleting ? created : null,
        };
    }
}
