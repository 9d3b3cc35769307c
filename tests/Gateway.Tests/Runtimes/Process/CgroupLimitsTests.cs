using Gateway.Runtimes.Process;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>Kubernetes quantities to what a cgroup takes, as the kubelet computes them.</summary>
public sealed class CgroupLimitsTests
{
    public static TheoryData<string, long> Memory => new()
    {
        { "64Mi", 64L * 1024 * 1024 },
        { "1Gi", 1L << 30 },
        { "128M", 128_000_000 },
        { "1k", 1000 },
        { "1.5Ki", 1536 },
        { "100m", 1 }, // a tenth of a byte rounds up, as Quantity.Value does
    };

    [Theory]
    [MemberData(nameof(Memory))]
    public void Memory_limits_are_bytes_rounded_up(string quantity, long bytes) =>
        Assert.Equal(bytes, CgroupLimits.From(Limits(("memory", quantity))).MemoryBytes);

    public static TheoryData<string, long> Cpu => new()
    {
        { "100m", 10_000 },
        { "0.1", 10_000 },
        { "1", 100_000 },
        { "2500m", 250_000 },
        { "1m", 1_000 }, // 100 µs is below the kernel's smallest quota: 1 ms, as the kubelet's MinQuotaPeriod
        { "0.0001", 1_000 },
        { "1.0001", 100_100 }, // milli-CPUs rounded up: 1001m
    };

    [Theory]
    [MemberData(nameof(Cpu))]
    public void Cpu_limits_are_a_quota_per_100ms(string quantity, long quota)
    {
        var limits = CgroupLimits.From(Limits(("cpu", quantity)));
        Assert.Equal(quota, limits.CpuQuotaMicroseconds);
        Assert.Equal($"{quota} 100000", limits.CpuMax);
    }

    [Fact]
    public void A_zero_limit_is_no_limit_as_the_kubelet_reads_it() =>
        Assert.True(CgroupLimits.From(Limits(("cpu", "0"), ("memory", "0"))).IsEmpty);

    [Fact]
    public void Requests_alone_set_nothing()
    {
        var resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("1Gi") } };
        Assert.True(CgroupLimits.From(resources).IsEmpty);
        Assert.True(CgroupLimits.From(null).IsEmpty);
        Assert.True(CgroupLimits.From(new V1ResourceRequirements()).IsEmpty);
    }

    [Fact]
    public void Both_limits_are_taken_together_and_a_cpu_max_without_a_quota_is_max()
    {
        var limits = CgroupLimits.From(Limits(("cpu", "500m"), ("memory", "1Mi")));
        Assert.Equal(new CgroupLimits(1 << 20, 50_000), limits);
        Assert.Equal("max 100000", (limits with { CpuQuotaMicroseconds = null }).CpuMax);
    }

    private static V1ResourceRequirements Limits(params (string Name, string Quantity)[] limits) =>
        new() { Limits = limits.ToDictionary(l => l.Name, l => new ResourceQuantity(l.Quantity)) };
}
