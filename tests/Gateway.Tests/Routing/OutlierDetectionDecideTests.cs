using Gateway.Routing;
using Gateway.Specs;

namespace Gateway.Tests.Routing;

/// <summary>The ejection decision alone: which pod, for how long, and whether the service can spare it.</summary>
public sealed class OutlierDetectionDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly OutlierSpec Spec = OutlierSpec.Default;

    private static Endpoint Pod(int n, bool ready = true, bool ejected = false, bool terminating = false) =>
        new("web", $"web-{n}", $"web-{n}/i1", $"http://127.0.0.1:{31000 + n}", Serving: ready, Terminating: terminating, Ejected: ejected);

    /// <summary>A service of <paramref name="total"/> pods, <paramref name="ejected"/> of them (not the first) already ejected; the first is the candidate.</summary>
    private static List<Endpoint> Service(int total, int ejected) =>
        [.. Enumerable.Range(1, total).Select(n => Pod(n, ejected: n > 1 && n <= 1 + ejected))];

    [Theory]
    [InlineData(3, 0, 50, true)] // 1 of 3 out: 33 %
    [InlineData(3, 1, 50, false)] // 2 of 3 would be 67 %
    [InlineData(4, 1, 50, true)] // 2 of 4: exactly 50 %
    [InlineData(4, 2, 50, false)]
    [InlineData(10, 0, 10, true)]
    [InlineData(10, 1, 10, false)]
    [InlineData(3, 0, 0, false)] // 0 %: never
    [InlineData(3, 1, 100, true)]
    [InlineData(2, 1, 100, false)] // the last ready one, whatever the percent
    [InlineData(1, 0, 100, false)] // a service of one: never
    public void Decide_MaxEjectionPercent_AndNeverTheLast(int total, int alreadyEjected, int maxPercent, bool ejects)
    {
        var service = Service(total, alreadyEjected);

        var decision = OutlierDetection.Decide(service[0], service, Spec with { MaxEjectionPercent = maxPercent }, OutlierReason.Consecutive5xx, 5, null, Now);

        Assert.Equal(ejects, decision.Ejection is not null);
        Assert.Equal(ejects, decision.Refused is null);
    }

    [Fact]
    public void Decide_OtherPodsNotReady_TheCandidateIsTheLastReadyOne_Refused()
    {
        List<Endpoint> service = [Pod(1), Pod(2, ready: false), Pod(3, ready: false), Pod(4, ready: false)];

        var decision = OutlierDetection.Decide(service[0], service, Spec with { MaxEjectionPercent = 100 }, OutlierReason.Consecutive5xx, 5, null, Now);

        Assert.Equal("the service's last ready endpoint", decision.Refused);
    }

    [Fact]
    public void Decide_TerminatingPodsDoNotCount()
    {
        // Counting the two terminating pods, 2 of 5 out would be 40 %; of the three live ones it is 2 of 3, refused.
        List<Endpoint> service = [Pod(1), Pod(2, ejected: true), Pod(3, terminating: true), Pod(4, terminating: true), Pod(5)];

        var decision = OutlierDetection.Decide(service[0], service, Spec, OutlierReason.Consecutive5xx, 5, null, Now);

        Assert.Equal("2 of 3 endpoints ejected would exceed MaxEjectionPercent 50", decision.Refused);
    }

    [Fact]
    public void Decide_CandidateAlreadyOutOfRotation_Refused()
    {
        List<Endpoint> service = [Pod(1, ejected: true), Pod(2), Pod(3)];

        Assert.Equal("not in rotation", OutlierDetection.Decide(service[0], service, Spec, OutlierReason.Consecutive5xx, 5, null, Now).Refused);
    }

    [Theory]
    [InlineData(30, 0, 0, 30, 1)] // first ejection: the base time
    [InlineData(30, 1, 10, 60, 2)] // ejected again soon after: twice
    [InlineData(30, 4, 10, 150, 5)]
    [InlineData(30, 9, 10, 300, 10)] // capped at 300 s
    [InlineData(30, 1, 301, 30, 1)] // back in rotation longer than the cap: starts again from one
    [InlineData(600, 1, 10, 600, 2)] // a base longer than the cap: the base is the cap
    public void Decide_Duration_BaseTimesEjectionsInARow_Capped(int baseSeconds, int previousTimes, int secondsSinceLastReturn, int seconds, int times)
    {
        var service = Service(3, 0);
        var history = previousTimes == 0 ? null : new EjectionHistory(previousTimes, Now - TimeSpan.FromSeconds(secondsSinceLastReturn));

        var ejection = OutlierDetection.Decide(service[0], service, Spec with { BaseEjectionTime = TimeSpan.FromSeconds(baseSeconds) },
            OutlierReason.Consecutive5xx, 5, history, Now).Ejection!;

        Assert.Equal((TimeSpan.FromSeconds(seconds), Now + TimeSpan.FromSeconds(seconds), times), (ejection.Duration, ejection.Until, ejection.TimesEjected));
    }

    [Fact]
    public void Decide_Ejection_NamesThePodAndSaysWhyAndUntilWhen()
    {
        var service = Service(3, 0);

        var ejection = OutlierDetection.Decide(service[0], service, Spec, OutlierReason.Consecutive5xx, 5, null, Now).Ejection!;

        Assert.Equal(("web", "web-1", "web-1/i1", "consecutive_5xx"), (ejection.Service, ejection.PodName, ejection.DestinationId, ejection.ReasonName));
        Assert.Equal("5 consecutive 5xx responses: out of rotation for 30s (ejection 1), back at 2026-12-02T12:00:30Z if its readiness passes", ejection.Message);
    }

    [Fact]
    public void Decide_GatewayFailures_SaySo()
    {
        var service = Service(3, 0);

        var ejection = OutlierDetection.Decide(service[0], service, Spec, OutlierReason.ConsecutiveGatewayFailures, 7, null, Now).Ejection!;

        Assert.Equal("consecutive_gateway_failures", ejection.ReasonName);
        Assert.StartsWith("7 consecutive gateway failures (reset or timeout): ", ejection.Message, StringComparison.Ordinal);
    }
}
