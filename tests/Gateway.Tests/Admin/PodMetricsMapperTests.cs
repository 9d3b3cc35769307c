using Gateway.Admin;
using Gateway.Runtimes;
using k8s.Models;

namespace Gateway.Tests.Admin;

public sealed class PodMetricsMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 16, 0, 0, TimeSpan.Zero);

    private static readonly V1Pod Pod = new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "demo" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web" }, new V1Container { Name = "log" }] },
    };

    [Fact]
    public void ToPodMetrics_metricsServersShape()
    {
        var metrics = PodMetricsMapper.ToPodMetrics(Pod,
            [("web", new UsageRate(250_000_000, 20 * 1024 * 1024, TimeSpan.FromMilliseconds(1004))), ("log", new UsageRate(0, 1000, TimeSpan.FromSeconds(1)))], Now);

        Assert.Equal("""
            {"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"web-1","namespace":"default","creationTimestamp":"2026-12-02T16:00:00Z","labels":{"app":"web","tier":"demo"}},"timestamp":"2026-12-02T16:00:00Z","window":"1.004s","containers":[{"name":"web","usage":{"cpu":"250000000n","memory":"20480Ki"}},{"name":"log","usage":{"cpu":"0n","memory":"1000"}}]}
            """, metrics.ToJsonString());
    }

    [Fact]
    public void ToList_PodMetricsList() =>
        Assert.Equal("""{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}""", PodMetricsMapper.ToList([]).ToJsonString());

    [Theory]
    [InlineData(1.0, "1s")]
    [InlineData(15.0, "15s")]
    [InlineData(1.0044, "1.004s")]
    [InlineData(0.25, "0.25s")]
    public void Duration_GoStyle(double seconds, string text) => Assert.Equal(text, PodMetricsMapper.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0L, "0Ki")]
    [InlineData(4096L, "4Ki")]
    [InlineData(1000L, "1000")]
    public void Memory_KiWhenWhole(long bytes, string text) => Assert.Equal(text, PodMetricsMapper.Memory(bytes));
}
