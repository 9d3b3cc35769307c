using Gateway.Admin;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Probes;
using Gateway.Tests.Pods;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Admin;

public sealed class DashboardTimelineTests
{
    private static readonly DateTimeOffset T0 = PodStates.T0;

    private static PodState Pending() => PodStates.Single("Always");

    private static PodState Running(PodState pod, int instances = 1, bool ready = false) => pod with
    {
        StartTime = T0.AddSeconds(1),
        Containers = [pod.Containers[0] with
        {
            State = ContainerRunState.Running, WaitingReason = null, StartedAt = T0.AddSeconds(1), InstancesStarted = instances,
            HasReadinessProbe = true, Readiness = ready ? ProbeResult.Success : ProbeResult.Failure,
        }],
    };

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void StageOf_FollowsThePodsLife()
    {
        var pending = Pending();
        Assert.Equal(PodStage.Pending, DashboardTimeline.StageOf(pending));
        Assert.Equal(PodStage.Running, DashboardTimeline.StageOf(Running(pending)));
        Assert.Equal(PodStage.Ready, DashboardTimeline.StageOf(Running(pending, ready: true)));
        Assert.Equal(PodStage.Terminating, DashboardTimeline.StageOf(Running(pending, ready: true) with { DeletionTimestamp = At(9) }));
        Assert.Equal(PodStage.Terminated, DashboardTimeline.StageOf(pending with { Phase = PodPhase.Failed }));
    }

    [Fact]
    public void Marks_OfACreation_IsPendingAtItsCreationTime() =>
        Assert.Equal([new PodMark(T0, PodStage.Pending)], DashboardTimeline.Marks(null, Pending(), At(1)));

    [Fact]
    public void Marks_OfAStageChange_IsTheNewStageNow()
    {
        var running = Running(Pending());

        Assert.Equal([new PodMark(At(5), PodStage.Ready)], DashboardTimeline.Marks(running, Running(Pending(), ready: true), At(5)));
        Assert.Equal([new PodMark(At(6), PodStage.Running)], DashboardTimeline.Marks(Running(Pending(), ready: true), running, At(6)));
        Assert.Empty(DashboardTimeline.Marks(running, running with { PodIp = "127.0.0.2" }, At(7)));
    }

    [Fact]
    public void Marks_OfARestart_IsARestartMarkBesideTheStage()
    {
        var marks = DashboardTimeline.Marks(Running(Pending(), ready: true), Running(Pending(), instances: 2), At(8)).ToList();

        Assert.Equal([new PodMark(At(8), PodStage.Running, Restart: true), new PodMark(At(8), PodStage.Running)], marks);
    }

    [Fact]
    public void Marks_OfARemoval_IsTerminatedNow_UnlessItHadEnded()
    {
        Assert.Equal([new PodMark(At(9), PodStage.Terminated)], DashboardTimeline.Marks(Running(Pending()) with { DeletionTimestamp = At(3) }, null, At(9)));
        Assert.Empty(DashboardTimeline.Marks(Pending() with { Phase = PodPhase.Succeeded }, null, At(9)));
    }

    [Fact]
    public void Seed_OfAReadyPod_IsCreatedStartedAndReadyAtTheirTimes()
    {
        var ready = Running(Pending(), ready: true) with
        {
            ConditionTransitions = System.Collections.Immutable.ImmutableDictionary<string, (bool, DateTimeOffset)>.Empty.Add("Ready", (true, At(4))),
        };

        Assert.Equal([new PodMark(T0, PodStage.Pending), new PodMark(At(1), PodStage.Running), new PodMark(At(4), PodStage.Ready)], DashboardTimeline.Seed(ready, At(10)).ToList());
    }

    [Fact]
    public void Segments_RunFromMarkToMark_ClippedToTheWindow_AndRestartsDoNotCutThem()
    {
        PodMark[] marks = [new(At(0), PodStage.Pending), new(At(10), PodStage.Running), new(At(15), PodStage.Running, Restart: true), new(At(20), PodStage.Ready)];

        var segments = DashboardTimeline.Segments(marks, At(5), At(30));

        Assert.Equal([new StripSegment(At(5), At(10), PodStage.Pending), new StripSegment(At(10), At(20), PodStage.Running), new StripSegment(At(20), At(30), PodStage.Ready)], segments);
    }

    [Fact]
    public void Segments_OfARemovedPod_EndWhereItWent_AndNothingBeforeItsFirstMark()
    {
        PodMark[] marks = [new(At(10), PodStage.Ready), new(At(12), PodStage.Terminating), new(At(14), PodStage.Terminated)];

        var segments = DashboardTimeline.Segments(marks, At(0), At(30), removedAt: At(14));

        Assert.Equal([new StripSegment(At(10), At(12), PodStage.Ready), new StripSegment(At(12), At(14), PodStage.Terminating)], segments);
    }

    [Fact]
    public void Segments_OfTheSameStageTwice_AreOne() =>
        Assert.Equal([new StripSegment(At(0), At(9), PodStage.Running)],
            DashboardTimeline.Segments([new(At(0), PodStage.Running), new(At(4), PodStage.Running)], At(0), At(9)));

    [Fact]
    public void Svg_DrawsStagesRestartsAndWarnings_AndEscapesNamesAndMessages()
    {
        var now = At(DashboardTimeline.Window.TotalSeconds);
        var track = new DashboardTimeline.Track("web", [new(T0, PodStage.Running), new(now.AddSeconds(-150), PodStage.Ready), new(now.AddSeconds(-60), PodStage.Ready, Restart: true)], null);
        GatewayEvent warning = new()
        {
            Name = "e", Namespace = "default", PodName = "<b>pod</b>", PodUid = "u", Type = EventType.Warning, Reason = "Unhealthy",
            Message = "Readiness probe failed: <script>alert(1)</script>", FirstTimestamp = now.AddSeconds(-30), LastTimestamp = now.AddSeconds(-30), Count = 3,
        };

        var svg = DashboardTimeline.Svg("<b>pod</b>", track, [warning], now, width: 300);

        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", svg, StringComparison.Ordinal);
        Assert.Contains("data-pod=\"&lt;b&gt;pod&lt;/b&gt;\"", svg, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"stage running\" x=\"0\" y=\"2\" width=\"150\"", svg, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"stage ready\" x=\"150\" y=\"2\" width=\"150\"", svg, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"restart\" x=\"240\"", svg, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"warning\" x=\"270\"", svg, StringComparison.Ordinal);
        Assert.Contains("Unhealthy (x3) at 00:04:30: Readiness probe failed: &lt;script&gt;", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_FollowsTheRegistry_AndForgetsARemovedPodAfterTheWindow()
    {
        var time = new FakeTimeProvider(T0);
        var registry = new PodRegistry();
        var timeline = new DashboardTimeline(registry, time);
        var pod = Pending();
        registry.Set(pod);
        time.Advance(TimeSpan.FromSeconds(2));
        registry.Set(Running(pod));
        time.Advance(TimeSpan.FromSeconds(2));
        registry.Set(Running(pod, ready: true));
        time.Advance(TimeSpan.FromSeconds(2));
        registry.Remove(pod.Name);

        var track = timeline.Pods[pod.Name];
        Assert.Equal("web", track.Service);
        Assert.Equal(At(6), track.RemovedAt);
        Assert.Equal([new PodMark(T0, PodStage.Pending), new PodMark(At(2), PodStage.Running), new PodMark(At(4), PodStage.Ready), new PodMark(At(6), PodStage.Terminated)], track.Marks.ToList());

        time.Advance(DashboardTimeline.Window + TimeSpan.FromSeconds(1));
        Assert.Empty(timeline.Pods);
    }

    [Fact]
    public void Store_StartedAfterThePods_SeedsThemFromTheirState()
    {
        var registry = new PodRegistry();
        registry.Set(Running(Pending()));

        var timeline = new DashboardTimeline(registry, new FakeTimeProvider(At(30)));

        Assert.Equal([new PodMark(T0, PodStage.Pending), new PodMark(At(1), PodStage.Running)], timeline.Pods["web-abc-xyz12"].Marks.ToList());
    }
}
