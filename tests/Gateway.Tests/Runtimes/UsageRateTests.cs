using Gateway.Runtimes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Runtimes;

public sealed class UsageRateTests
{
    private static ContainerUsage Usage(double cpuSeconds, long memory = 1024) => new(TimeSpan.FromSeconds(cpuSeconds), memory);

    [Theory]
    [InlineData(10.0, 11.0, 1.0, 1_000_000_000L)]
    [InlineData(10.0, 10.5, 2.0, 250_000_000L)]
    [InlineData(10.0, 10.01, 1.0, 10_000_000L)]
    [InlineData(10.0, 10.0, 1.0, 0L)]
    [InlineData(10.0, 9.0, 1.0, 0L)]
    [InlineData(10.0, 12.0, 0.0, 0L)]
    public void Between_CpuTimeOverElapsed_InNanocores(double before, double after, double elapsedSeconds, long nanoCores)
    {
        var rate = UsageRate.Between(Usage(before), Usage(after, 5 * 1024), TimeSpan.FromSeconds(elapsedSeconds));

        Assert.Equal(new UsageRate(nanoCores, 5 * 1024, TimeSpan.FromSeconds(elapsedSeconds)), rate);
    }

    [Fact]
    public async Task SampleAsync_TwoReadingsAGapApart_EachInstanceItsOwnRate()
    {
        var time = new FakeTimeProvider();
        var busy = new Counter(time, cpuPerSecond: 0.5, memory: 8 * 1024 * 1024);
        var idle = new Counter(time, cpuPerSecond: 0, memory: 1024 * 1024);

        var sampling = UsageRate.SampleAsync([("busy", busy), ("idle", idle)], TimeSpan.FromSeconds(2), time, CancellationToken.None);
        Assert.False(sampling.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        var rates = await sampling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new UsageRate(500_000_000, 8 * 1024 * 1024, TimeSpan.FromSeconds(2)), rates["busy"]);
        Assert.Equal(new UsageRate(0, 1024 * 1024, TimeSpan.FromSeconds(2)), rates["idle"]);
    }

    [Fact]
    public async Task SampleAsync_AnInstanceExitsBetweenTheReadings_LeftOut()
    {
        var time = new FakeTimeProvider();
        var leaving = new Counter(time, cpuPerSecond: 1, memory: 1024);
        var staying = new Counter(time, cpuPerSecond: 1, memory: 1024);

        var sampling = UsageRate.SampleAsync([("leaving", leaving), ("staying", staying)], TimeSpan.FromSeconds(1), time, CancellationToken.None);
        leaving.Exit();
        time.Advance(TimeSpan.FromSeconds(1));
        var rates = await sampling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["staying"], rates.Keys);
    }

    [Fact]
    public async Task SampleAsync_NoInstance_EmptyWithoutWaiting()
    {
        var rates = await UsageRate.SampleAsync<string>([], TimeSpan.FromSeconds(1), new FakeTimeProvider(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(rates);
    }

    /// <summary>An instance whose CPU time grows at a fixed rate on the fake clock.</summary>
    private sealed class Counter(TimeProvider time, double cpuPerSecond, long memory) : IUsageReporting
    {
        private readonly DateTimeOffset _started = time.GetUtcNow();
        private bool _exited;

        public void Exit() => _exited = true;

        public Task<ContainerUsage?> ReadUsageAsync(CancellationToken cancellationToken) => Task.FromResult(_exited ? null
            : new ContainerUsage(TimeSpan.FromSeconds((time.GetUtcNow() - _started).TotalSeconds * cpuPerSecond), memory));
    }
}
