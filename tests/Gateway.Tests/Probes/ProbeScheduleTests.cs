using Gateway.Probes;

namespace Gateway.Tests.Probes;

public sealed class ProbeScheduleTests
{
    [Theory]
    [InlineData(10, 3600, 0.5, 0)]
    [InlineData(10, 10, 0.5, 0)]
    [InlineData(10, 11, 0.99, 0)]
    [InlineData(10, 9.999, 0.5, 5)]
    [InlineData(10, 0, 0.0, 0)]
    [InlineData(10, 0, 0.25, 2.5)]
    [InlineData(1, 0.5, 0.5, 0.5)]
    public void FirstTickDelay_GatewayUptime_JitterOnlyInTheFirstPeriod(double periodSeconds, double uptimeSeconds, double random01, double expectedSeconds)
    {
        var delay = ProbeSchedule.FirstTickDelay(TimeSpan.FromSeconds(periodSeconds), TimeSpan.FromSeconds(uptimeSeconds), random01);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.9999999999)]
    public void FirstTickDelay_RandomAtTheTop_StaysBelowOnePeriod(double random01)
    {
        var period = TimeSpan.FromSeconds(10);

        var delay = ProbeSchedule.FirstTickDelay(period, TimeSpan.Zero, random01);

        Assert.InRange(delay, TimeSpan.Zero, period - TimeSpan.FromTicks(1));
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(0.5, 0, false)]
    [InlineData(0, 1, true)]
    [InlineData(0.999, 1, true)]
    [InlineData(1, 1, false)]
    [InlineData(4.999, 5, true)]
    [InlineData(5, 5, false)]
    [InlineData(5.5, 5, false)]
    [InlineData(6, 5, false)]
    public void InInitialDelay_SinceContainerStart_ComparesWholeSeconds(double sinceStartSeconds, int initialDelaySeconds, bool expected)
    {
        Assert.Equal(expected, ProbeSchedule.InInitialDelay(TimeSpan.FromSeconds(sinceStartSeconds), initialDelaySeconds));
    }
}
