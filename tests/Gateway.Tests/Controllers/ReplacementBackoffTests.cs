using Gateway.Controllers;
using Gateway.Pods;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class ReplacementBackoffTests
{
    private static PodState Ended(string name, double endedAt) => Single("Never") with
    {
        Name = name,
        Phase = PodPhase.Failed,
        Containers = [new ContainerStatus { Name = "app", State = ContainerRunState.Terminated, Terminated = new Termination(1, "Error", null, T0, T0.AddSeconds(endedAt), "i") }],
    };

    [Fact]
    public void Decide_PodsEndingBecauseTheyWereDeleted_NeverHeld()
    {
        // A rollout deletes one old pod a second; each ends (Failed, exit 143) with its deletion timestamp.
        var state = ReplacementBackoff.None;
        var history = new List<PodState>();
        for (var i = 1; i <= 6; i++)
        {
            history.Add(Ended($"old{i}", i) with { DeletionTimestamp = T0.AddSeconds(i - 0.5) });
            var (held, next, replacing) = ReplacementBackoff.Decide(state, history, T0.AddSeconds(i));
            Assert.Null(held);
            Assert.Null(replacing);
            state = next;
        }

        // And they leave no back-off behind: the first pod that fails on its own is replaced at once.
        history.Add(Ended("crashed", 7));
        Assert.Equal((null, "crashed"), (ReplacementBackoff.Decide(state, history, T0.AddSeconds(7)).HeldUntil, ReplacementBackoff.Decide(state, history, T0.AddSeconds(7)).Replacing));
    }

    [Fact]
    public void Decide_APodFailingEverySecond_ReplacedAtOnceThenAfter10_20_40Seconds()
    {
        var state = ReplacementBackoff.None;
        var history = new List<PodState>();
        var now = 0.0;
        var waits = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            // The replacement runs for a second and fails.
            now += 1;
            history.Add(Ended($"p{i}", now));
            var (held, next, replacing) = ReplacementBackoff.Decide(state, history, T0.AddSeconds(now));
            Assert.Equal($"p{i}", replacing);
            state = next;
            var wait = held is { } until ? (until - T0.AddSeconds(now)).TotalSeconds : 0;
            waits.Add(wait);
            if (held is { } at)
            {
                // Asked again before the end: still held, and the same answer; the pod may leave the history meanwhile.
                history.RemoveAt(history.Count - 1);
                Assert.Equal(at, ReplacementBackoff.Decide(state, history, at.AddSeconds(-1)).HeldUntil);
                now = (at - T0).TotalSeconds;
                (held, state, _) = ReplacementBackoff.Decide(state, history, at);
                Assert.Null(held);
            }

            // Nothing new ended: creating is free, and nothing moves.
            Assert.Equal((null, state), (ReplacementBackoff.Decide(state, history, T0.AddSeconds(now)).HeldUntil, ReplacementBackoff.Decide(state, history, T0.AddSeconds(now)).Next));
        }

        Assert.Equal([0, 10, 20, 40, 80, 160, 300, 300], waits);
    }

    [Fact]
    public void Decide_APodThatRanMoreThanTenMinutes_ReplacedAtOnceAndTheLoopStartsOver()
    {
        var (_, state, _) = ReplacementBackoff.Decide(ReplacementBackoff.None, [Ended("a", 1)], T0.AddSeconds(1));
        var (held, _, _) = ReplacementBackoff.Decide(state, [Ended("a", 1), Ended("b", 2)], T0.AddSeconds(2));
        Assert.Equal(T0.AddSeconds(12), held);

        var (afterLongRun, next, _) = ReplacementBackoff.Decide(state, [Ended("a", 1), Ended("c", 700)], T0.AddSeconds(700));

        Assert.Null(afterLongRun);
        Assert.Equal(TimeSpan.FromSeconds(10), next.Backoff!.Delay);
    }

    [Fact]
    public void Decide_NoEndedPod_NeverHolds() =>
        Assert.Equal((null, ReplacementBackoff.None, null), ReplacementBackoff.Decide(ReplacementBackoff.None, [Single("Always")], T0));
}
