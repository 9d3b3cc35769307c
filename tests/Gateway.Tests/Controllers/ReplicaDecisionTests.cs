using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class ReplicaDecisionTests
{
    /// <summary>
    /// Pods are written <c>name:state:createdSecond</c>; states: <c>R+</c> running and ready,
    /// <c>R-</c> running not ready, <c>P</c> pending, <c>U</c> pending and unscheduled (no room), <c>S</c> succeeded, <c>F</c> failed, and a
    /// trailing <c>x</c> for a pod whose deletion has begun.
    /// </summary>
    [Theory]
    [InlineData(3, "", 3, "")]
    [InlineData(3, "a:R+:1 b:R-:2", 1, "")]
    [InlineData(2, "a:R+:1 b:R+:2", 0, "")]
    [InlineData(2, "a:R+:1 b:F:2", 1, "")]
    [InlineData(2, "a:R+:1 b:S:2", 1, "")]
    [InlineData(1, "a:F:1 b:S:2", 1, "")]
    [InlineData(1, "a:R+:1 b:R+:2x", 0, "")]
    [InlineData(1, "a:F:1x", 1, "")]
    [InlineData(0, "a:R+:1", 0, "a")]
    [InlineData(1, "a:R+:1 b:P:2 c:R-:3", 0, "b c")]
    [InlineData(1, "a:R+:3 b:R-:1 c:P:2", 0, "c b")]
    [InlineData(1, "a:R+:1 b:R+:3 c:R+:2", 0, "b c")]
    [InlineData(2, "a:P:1 b:R-:2 c:R+:3", 0, "a")]
    [InlineData(1, "a:P:1 b:R+:2", 0, "a")]
    [InlineData(1, "a:P:1 b:U:3 c:R+:2", 0, "b a")]
    [InlineData(2, "a:U:1 b:U:2 c:R+:3", 0, "b")]
    [InlineData(1, "a:R-:1 b:R-:2 c:R+:3", 0, "b a")]
    [InlineData(2, "a:F:1 b:R+:2 c:R+:3 d:R+:4", 0, "d")]
    public void Decide_ReplicatedService_CreatesReplacesAndScalesDown(int replicas, string pods, int expectedCreate, string expectedDelete)
    {
        var (create, delete) = ReplicaDecision.Decide(replicas, barePod: false, barePodCreated: false, Pods(pods));

        Assert.Equal(expectedCreate, create);
        Assert.Equal(expectedDelete.Split(' ', StringSplitOptions.RemoveEmptyEntries), delete);
    }

    /// <summary>Ended pods stay as history, the newest <c>history</c> of them; the older ones are deleted.</summary>
    [Theory]
    [InlineData(1, "a:F:1 b:F:2 c:S:3 d:R+:4", 0, "b a")]
    [InlineData(3, "a:F:1 b:F:2 c:S:3 d:R+:4", 0, "")]
    [InlineData(0, "a:F:1 b:F:2x", 1, "a")]
    [InlineData(1, "a:F:3 b:F:2 c:F:1", 1, "b c")]
    public void Decide_EndedPods_NewestKeptAsHistory(int history, string pods, int expectedCreate, string expectedDelete)
    {
        var (create, delete) = ReplicaDecision.Decide(1, barePod: false, barePodCreated: false, Pods(pods), terminatedHistory: history);

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

    /// <summary>Rolling replacement: pods whose name starts with <c>n</c> have the new template, the others the old.</summary>
    [Theory]
    [InlineData(3, "25%", "25%", "o1:R+:1 o2:R+:2 o3:R+:3", 1, "")]
    [InlineData(3, "25%", "25%", "o1:R+:1 o2:R+:2 o3:R+:3 n1:R-:4", 0, "")]
    [InlineData(3, "25%", "25%", "o1:R+:1 o2:R+:2 o3:R+:3 n1:R+:4", 0, "o3")]
    [InlineData(3, "25%", "25%", "o1:R+:1 o2:R+:2 o3:R+:3x n1:R+:4", 1, "")]
    [InlineData(3, "25%", "25%", "o1:R-:1 o2:R+:2 o3:R+:3", 1, "o1")]
    [InlineData(3, "25%", "25%", "o1:R+:1 n1:R+:4 n2:R+:5 n3:R-:6", 0, "")]
    [InlineData(3, "25%", "25%", "o1:R+:1 n1:R+:4 n2:R+:5 n3:R+:6", 0, "o1")]
    [InlineData(1, "25%", "25%", "o1:R+:1", 1, "")]
    [InlineData(1, "25%", "25%", "o1:R+:1 n1:R-:2", 0, "")]
    [InlineData(1, "25%", "25%", "o1:R+:1 n1:R+:2", 0, "o1")]
    [InlineData(2, "0", "1", "o1:R+:1 o2:R+:2", 0, "o2")]
    [InlineData(4, "2", "0", "o1:R+:1 o2:R+:2 o3:R+:3 o4:R+:4", 2, "")]
    public void Decide_TemplateChanged_RollsWithinSurgeAndUnavailability(int replicas, string surge, string unavailable, string pods, int expectedCreate, string expectedDelete)
    {
        var (create, delete) = ReplicaDecision.Decide(replicas, barePod: false, barePodCreated: false, Pods(pods), "new", new RolloutSpec(surge, unavailable));

        Assert.Equal(expectedCreate, create);
        Assert.Equal(expectedDelete.Split(' ', StringSplitOptions.RemoveEmptyEntries), delete);
    }

    [Theory]
    [InlineData("o:R+:1", false, 0, "o")]
    [InlineData("o:R+:1x", false, 0, "")]
    [InlineData("", false, 1, "")]
    [InlineData("n:R+:1", true, 0, "")]
    public void Decide_BarePodWithAChangedManifest_IsReplacedOnceTheOldOneIsGone(string pods, bool createdWithNewHash, int expectedCreate, string expectedDelete)
    {
        var (create, delete) = ReplicaDecision.Decide(1, barePod: true, barePodCreated: createdWithNewHash, Pods(pods), "new");

        Assert.Equal(expectedCreate, create);
        Assert.Equal(expectedDelete.Split(' ', StringSplitOptions.RemoveEmptyEntries), delete);
    }

    [Theory]
    [InlineData(3, "25%", "25%", 1, 0)]
    [InlineData(4, "25%", "25%", 1, 1)]
    [InlineData(10, "25%", "25%", 3, 2)]
    [InlineData(1, "0", "0", 0, 1)]
    [InlineData(5, "2", "40%", 2, 2)]
    [InlineData(3, "2147483647", "100%", 3, 3)] // beyond the replica count changes nothing, and never overflows
    [InlineData(2147483647, "2147483647%", "2147483647", 2147483647, 2147483647)]
    public void RolloutSpec_Resolve_RoundsSurgeUpAndUnavailabilityDown(int replicas, string surge, string unavailable, int expectedSurge, int expectedUnavailable) =>
        Assert.Equal((expectedSurge, expectedUnavailable), new RolloutSpec(surge, unavailable).Resolve(replicas));

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
            "P" or "U" => (PodPhase.Pending, new ContainerStatus { Name = "app" }),
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
            Scheduled = state != "U",
            TemplateHash = parts[0].StartsWith('n') ? "new" : "old",
        };
    }
}
