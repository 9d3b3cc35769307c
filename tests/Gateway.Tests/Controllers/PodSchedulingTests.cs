using Gateway.Controllers;
using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class PodSchedulingTests
{
    /// <summary>
    /// Pods are written <c>service/name:state:createdSecond</c>; states: <c>R</c> bound and running,
    /// <c>S</c> bound and starting (the runtime has not answered), <c>C</c> bound and crash-looping,
    /// <c>X</c> bound, running and terminating, <c>E</c> ended (Succeeded), <c>U</c> Pending and unbound.
    /// Wanted is <c>service=count</c>; creations are <c>service=scheduled/pending/notCreated</c>.
    /// </summary>
    [Theory]
    // Slow start: one pod first, then as many more as are running.
    [InlineData(110, "", "web=3", "", "web=1/0/2")]
    [InlineData(110, "web/a:R:1 web/b:R:2", "web=4", "", "web=2/0/2")]
    [InlineData(110, "web/a:R:1 web/s:S:2", "web=2", "", "web=0/0/2")]
    [InlineData(110, "web/a:C:1", "web=2", "", "web=1/0/1")]
    // Capacity: beyond MaxPods a new pod is created Pending, but only once the room is taken: pacing creates nothing yet.
    [InlineData(3, "", "web=5", "", "web=1/0/4")]
    [InlineData(3, "web/a:R:1 web/b:R:2", "web=3", "", "web=1/2/0")]
    [InlineData(3, "web/a:R:1 web/b:R:2 web/c:S:3", "web=2", "", "web=0/2/0")]
    [InlineData(3, "web/a:R:1 web/b:R:2 web/c:R:3", "web=2", "", "web=0/2/0")]
    // Capacity frees: the oldest Pending pod binds first; terminating pods still hold their room, ended ones do not.
    [InlineData(3, "web/a:R:1 web/b:R:2 web/u2:U:20 web/u1:U:10", "web=0", "u1", "web=0/0/0")]
    [InlineData(2, "web/a:R:1 web/b:X:2 web/u:U:3", "web=0", "", "web=0/0/0")]
    [InlineData(2, "web/a:R:1 web/b:E:2 web/u:U:3", "web=0", "u", "web=0/0/0")]
    [InlineData(5, "web/a:R:1 web/b:R:2 web/u1:U:3 web/u2:U:4", "web=1", "u1 u2", "web=0/0/1")]
    // Fairness: the service with fewer bound pods gets room first; ties go by name.
    [InlineData(5, "web/a:R:1 web/b:R:2 web/c:R:3", "web=2 api=2", "", "api=1/0/1 web=0/0/2")]
    [InlineData(5, "web/a:R:1 web/b:R:2 web/c:R:3 api/x:R:4", "web=2 api=1", "", "api=1/0/0 web=0/2/0")]
    [InlineData(1, "", "web=1 api=1", "", "api=1/0/0 web=0/1/0")]
    [InlineData(4, "web/a:R:1 web/b:R:2 web/u:U:3 api/x:R:4", "api=2", "", "api=1/1/0 web=0/0/0")]
    [InlineData(4, "web/a:R:1 api/x:R:2 web/u:U:3 api/v:U:4", "", "api/v web/u", "api=0/0/0 web=0/0/0")]
    public void Decide_Pods_BindsAndCreatesWithinCapacityPacingAndFairly(int maxPods, string pods, string wanted, string expectedBind, string expectedCreate)
    {
        var plan = PodScheduling.Decide(maxPods, Pods(pods), Wanted(wanted));

        Assert.Equal(Names(expectedBind), plan.Bind.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(expectedCreate, Format(plan));
    }

    [Fact]
    public void Decide_HundredThousandReplicas_CreatesOnePodFirst()
    {
        var plan = PodScheduling.Decide(110, [], [("web", 100_000)]);

        Assert.Equal(new ServiceCreations(1, 0, 100_000 - 1), plan.Create["web"]);
    }

    [Fact]
    public void Decide_HundredThousandReplicasWithTheRoomTaken_CreatesAHundredPendingOnly()
    {
        var running = Enumerable.Range(0, 110).Select(i => Pod($"web/r{i}:R:{i}"));

        var plan = PodScheduling.Decide(110, [.. running], [("web", 100_000 - 110)]);

        Assert.Equal(new ServiceCreations(0, PodScheduling.MaxPendingPods, 100_000 - 110 - PodScheduling.MaxPendingPods), plan.Create["web"]);
    }

    [Fact]
    public void Decide_ManyPodsStarting_StartsNoMoreAcrossServices()
    {
        var starting = Enumerable.Range(0, PodScheduling.MaxStartingPods).Select(i => Pod($"web/s{i}:S:{i}"));
        var running = Enumerable.Range(0, 20).Select(i => Pod($"web/r{i}:R:{i}"));

        var plan = PodScheduling.Decide(110, [.. starting, .. running], [("web", 10), ("api", 1)]);

        Assert.Equal("api=0/0/1 web=0/0/10", Format(plan));
    }

    [Fact]
    public void Decide_PendingPodsAtTheirBound_CreatesNoMorePending()
    {
        var pending = Enumerable.Range(0, PodScheduling.MaxPendingPods).Select(i => Pod($"web/u{i}:U:{i}"));
        var running = Enumerable.Range(0, 3).Select(i => Pod($"web/r{i}:R:{i}"));

        var plan = PodScheduling.Decide(3, [.. pending, .. running], [("web", 5), ("api", 2)]);

        Assert.Empty(plan.Bind);
        Assert.Equal("api=0/0/2 web=0/0/5", Format(plan));
    }

    [Fact]
    public void Decide_RaisedCapacity_BindsNoMoreThanTheStartingBound()
    {
        var running = Enumerable.Range(0, 40).Select(i => Pod($"web/r{i}:R:{i}"));
        var pending = Enumerable.Range(0, 40).Select(i => Pod($"web/u{i:D2}:U:{100 + i}"));

        var plan = PodScheduling.Decide(110, [.. running, .. pending], [("web", 0)]);

        Assert.Equal(Enumerable.Range(0, PodScheduling.MaxStartingPods).Select(i => $"u{i:D2}"), plan.Bind);
    }

    [Theory]
    [InlineData("R", false)]
    [InlineData("S", true)]
    [InlineData("C", false)]
    [InlineData("X", false)]
    [InlineData("U", false)]
    public void IsStarting_State_TrueOnlyUntilTheRuntimeAnswers(string state, bool expected) =>
        Assert.Equal(expected, PodScheduling.IsStarting(Pod($"web/a:{state}:1")));

    private static string[] Names(string names) => names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Split('/')[^1]).Order(StringComparer.Ordinal).ToArray();

    private static string Format(SchedulingPlan plan) => string.Join(' ', plan.Create.OrderBy(c => c.Key, StringComparer.Ordinal)
        .Select(c => $"{c.Key}={c.Value.Scheduled}/{c.Value.Pending}/{c.Value.NotCreated}"));

    private static List<(string, int)> Wanted(string wanted) =>
        [.. wanted.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Split('=')).Select(w => (w[0], int.Parse(w[1], System.Globalization.CultureInfo.InvariantCulture)))];

    private static List<PodState> Pods(string pods) =>
        [.. pods.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Pod)];

    private static PodState Pod(string description)
    {
        var parts = description.Split(':');
        var (service, name) = (parts[0].Split('/')[0], parts[0].Split('/')[1]);
        var state = parts[1];
        var created = T0.AddSeconds(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        var running = new ContainerStatus { Name = "app", State = ContainerRunState.Running, InstanceId = "i1", InstancesStarted = 1 };
        var (phase, container) = state switch
        {
            "R" or "X" => (PodPhase.Running, running),
            "S" or "U" => (PodPhase.Pending, new ContainerStatus { Name = "app", Starting = state == "S" }),
            "C" => (PodPhase.Running, new ContainerStatus { Name = "app", WaitingReason = "CrashLoopBackOff", InstancesStarted = 1, LastTermination = new Termination(1, "Error", null, created, created, "i1") }),
            "E" => (PodPhase.Succeeded, new ContainerStatus { Name = "app", State = ContainerRunState.Terminated, InstancesStarted = 1, Terminated = new Termination(0, "Completed", null, created, created, "i1") }),
            _ => throw new ArgumentException($"unknown pod state {state}", nameof(description)),
        };

        return Single("Always") with
        {
            Name = name,
            ServiceName = service,
            CreatedAt = created,
            Phase = phase,
            Containers = [container],
            Scheduled = state != "U",
            DeletionTimestamp = state == "X" ? created : null,
        };
    }
}
