using Docker.DotNet.Models;
using Gateway.Runtimes;
using Gateway.Runtimes.Docker;

namespace Gateway.Tests.Runtimes.Docker;

public sealed class DockerUsageTests
{
    private static ContainerStatsResponse Stats(ulong cpuNanoseconds, ulong memory, Dictionary<string, ulong>? memoryStats = null) => new()
    {
        CPUStats = new CPUStats { CPUUsage = new CPUUsage { TotalUsage = cpuNanoseconds } },
        MemoryStats = new MemoryStats { Usage = memory, Stats = memoryStats ?? [] },
    };

    [Fact]
    public void FromStats_CgroupV2_WorkingSetIsUsageWithoutInactiveFile() =>
        Assert.Equal(new ContainerUsage(TimeSpan.FromMilliseconds(1500), 30 * 1024 * 1024),
            DockerUsage.FromStats(Stats(1_500_000_000, 40 * 1024 * 1024, new() { ["inactive_file"] = 10 * 1024 * 1024, ["active_file"] = 1 })));

    [Fact]
    public void FromStats_CgroupV1_WorkingSetIsUsageWithoutTotalInactiveFile() =>
        Assert.Equal(new ContainerUsage(TimeSpan.FromSeconds(2), 3 * 1024 * 1024),
            DockerUsage.FromStats(Stats(2_000_000_000, 4 * 1024 * 1024, new() { ["total_inactive_file"] = 1024 * 1024 })));

    [Fact]
    public void FromStats_MoreInactiveThanUsage_NoWorkingSet() =>
        Assert.Equal(0, DockerUsage.FromStats(Stats(1, 1024, new() { ["inactive_file"] = 4096 }))!.MemoryBytes);

    [Fact]
    public void FromStats_NotRunning_Null() => Assert.Null(DockerUsage.FromStats(new ContainerStatsResponse()));
}
