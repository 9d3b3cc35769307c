using Gateway.Pods;

namespace Gateway.Tests.Pods;

public sealed class RestartBackoffTests
{
    private static readonly DateTimeOffset T0 = PodStates.T0;

    // (delay s, last update s) of the entry or none; when the latest dead instance ended; now;
    // then: wait until (s) or start now, and the entry after (delay s, last update s).
    [Theory]
    [InlineData(null, null, null, 5, null, null, null)] // no dead instance: start, nothing moves
    [InlineData(null, null, 4, 5, null, 10, 5)] // the first restart: at once, the next waits 10 s
    [InlineData(10, 5, 6, 6, 16, 10, 5)] // crashed again at once: wait 10 s from the exit
    [InlineData(10, 5, 6, 16, null, 20, 16)] // the wait is over: start, the next waits twice as long
    [InlineData(160, 5, 6, 100, 166, 160, 5)]
    [InlineData(160, 5, 6, 166, null, 300, 166)] // capped at 300 s
    [InlineData(300, 5, 6, 306, null, 300, 306)]
    [InlineData(40, 5, 605, 605, 645, 40, 5)] // ended 600 s after the last update: still backing off
    [InlineData(40, 5, 606, 606, null, 10, 606)] // more than 600 s: the loop starts over
    public void Decide_FollowsTheKubeletsBackoff(
        int? delay, int? updated, int? lastExit, int now, int? waitUntil, int? nextDelay, int? nextUpdated)
    {
        var entry = delay is { } d ? new RestartBackoff(TimeSpan.FromSeconds(d), T0.AddSeconds(updated!.Value)) : null;

        var (wait, next) = RestartBackoff.Decide(entry, lastExit is { } e ? T0.AddSeconds(e) : null, T0.AddSeconds(now));

        Assert.Equal(waitUntil is { } w ? T0.AddSeconds(w) : null, wait);
        Assert.Equal(nextDelay is { } n ? new RestartBackoff(TimeSpan.FromSeconds(n), T0.AddSeconds(nextUpdated!.Value)) : null, next);
    }
}
