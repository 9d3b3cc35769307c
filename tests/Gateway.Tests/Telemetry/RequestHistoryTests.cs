using System.Diagnostics.Metrics;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Specs;
using Gateway.Telemetry;
using Gateway.Tests.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Tests.Telemetry;

[Collection(GatewayMeterCollection.Name)]
public sealed class RequestHistoryTests
{
    /// <summary>On a slot boundary (the fake clock's timestamps are its ticks).</summary>
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(4);

    [Fact]
    public void Read_RequestsOfTheCurrentSlot_AreTheLastPointWithTheirRateOverTheSecondsElapsed()
    {
        var time = new FakeTimeProvider(Start);
        var history = new RequestHistory(time);
        var web = history.For("web");
        time.Advance(TimeSpan.FromSeconds(4));
        for (var i = 0; i < 8; i++)
        {
            web.Record(Fast, failed: i < 2);
        }

        var points = history.Read("web");

        Assert.Equal(RequestHistory.Slots, points.Count);
        var now = points[^1];
        Assert.Equal((0, 8L, 2L), (now.Ago, now.Requests, now.Errors));
        Assert.Equal(4, now.Seconds, 3);
        Assert.Equal(2, now.RequestRate, 3);
        Assert.Equal(0.5, now.ErrorRate, 3);
        Assert.All(points.SkipLast(1), p => Assert.Equal((0L, 0L, (TimeSpan?)null), (p.Requests, p.Errors, p.P99)));
        Assert.Equal(RequestHistory.Slots - 1, points[0].Ago);
    }

    [Fact]
    public void Read_AfterASlot_TheCountsMoveLeftAndAFullSlotIsTenSeconds()
    {
        var time = new FakeTimeProvider(Start);
        var history = new RequestHistory(time);
        var web = history.For("web");
        web.Record(Fast, failed: false);
        time.Advance(TimeSpan.FromSeconds(RequestHistory.SlotSeconds));
        web.Record(Fast, failed: true);
        web.Record(Fast, failed: true);

        var points = history.Read("web");

        Assert.Equal((1, 1L, 0L, (double)RequestHistory.SlotSeconds), (points[^2].Ago, points[^2].Requests, points[^2].Errors, points[^2].Seconds));
        Assert.Equal((2L, 2L), (points[^1].Requests, points[^1].Errors));
    }

    [Fact]
    public void Record_AWholeRingLater_ClearsTheSlotItReuses()
    {
        var time = new FakeTimeProvider(Start);
        var history = new RequestHistory(time);
        var web = history.For("web");
        for (var i = 0; i < 5; i++)
        {
            web.Record(TimeSpan.FromSeconds(2), failed: true);
        }

        time.Advance(TimeSpan.FromSeconds(RequestHistory.SlotSeconds * RequestHistory.Slots));
        Assert.All(history.Read("web"), p => Assert.Equal(0L, p.Requests));
        web.Record(Fast, failed: false);

        var now = history.Read("web")[^1];
        Assert.Equal((1L, 0L), (now.Requests, now.Errors));
        Assert.True(now.P99 <= TimeSpan.FromMilliseconds(5), $"p99 {now.P99} still has the old slot's 2 s requests");
    }

    [Fact]
    public void Read_AServiceWithNoRequest_IsAllZeros()
    {
        var history = new RequestHistory(new FakeTimeProvider(Start));

        var points = history.Read("nothing");

        Assert.Equal(RequestHistory.Slots, points.Count);
        Assert.All(points, p => Assert.Equal((0L, 0L, (TimeSpan?)null), (p.Requests, p.Errors, p.P99)));
        Assert.Empty(history.Services);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1.001, 1)]
    [InlineData(100, 11)]
    [InlineData(60_000, 24)]
    [InlineData(7_200_000, 25)]
    public void Bucket_IsTheFirstWhoseBoundTheDurationDoesNotExceed(double milliseconds, int bucket) =>
        Assert.Equal(bucket, RequestHistory.Bucket(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Quantile_OfNothing_IsNull() => Assert.Null(RequestHistory.Quantile(Counts(), 0.99));

    [Fact]
    public void Quantile_InterpolatesInsideItsBucket()
    {
        var counts = Counts((TimeSpan.FromMilliseconds(80), 100)); // (75, 100] ms

        Assert.Equal((99.75, 87.5), (Milliseconds(counts, 0.99), Milliseconds(counts, 0.5)));
    }

    [Fact]
    public void Quantile_OfMostlyFastRequests_StaysInTheFastBucketAndOneSlowerMovesIt()
    {
        var counts = Counts((Fast, 99), (TimeSpan.FromSeconds(2), 1)); // (3, 5] ms and (1.5, 2] s

        Assert.Equal((5, 2000), (Milliseconds(counts, 0.99), Milliseconds(counts, 1)));
    }

    [Fact]
    public void Quantile_InTheUnboundedBucket_IsItsLowerBound() =>
        Assert.Equal(RequestHistory.LatencyBounds[^1], RequestHistory.Quantile(Counts((TimeSpan.FromMinutes(5), 3)), 0.99));

    [Fact]
    public async Task Record_FromManyThreadsAtOnce_CountsEveryRequest()
    {
        var time = new FakeTimeProvider(Start);
        var history = new RequestHistory(time);
        var web = history.For("web");
        const int threads = 4, each = 50_000;

        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                web.Record(TimeSpan.FromMilliseconds(i % 200), failed: i % 10 == 0);
            }
        })));

        var now = history.Read("web")[^1];
        Assert.Equal(((long)threads * each, (long)threads * each / 10), (now.Requests, now.Errors));
    }

    [Fact]
    public void Record_OnTheRequestPath_AllocatesNothing()
    {
        var web = new RequestHistory(TimeProvider.System).For("web");
        web.Record(Fast, failed: true); // the first one claims its slot (and the code is jitted)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            web.Record(TimeSpan.FromMilliseconds(i % 500), failed: i % 7 == 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task RequestTelemetry_RecordsEachProxiedRequestInItsServicesHistory()
    {
        var time = new FakeTimeProvider(Start);
        var history = new RequestHistory(time);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var endpoints = new EndpointTable(time);
        var metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>(), new ServiceCatalog(new GatewaySpec("", "", [])), new PodRegistry(), endpoints,
            new ProbeStatusStore(), new ContainerRestarts(NullLogger<ContainerRestarts>.Instance));
        var telemetry = new RequestTelemetry(metrics, accessLog: null, history);
        var cluster = Proxy.Cluster();

        foreach (var status in new[] { 200, 200, 503 })
        {
            var context = Proxy.Request(cluster, []);
            await telemetry.InvokeAsync(context, () =>
            {
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            });
        }

        var now = history.Read("web")[^1];
        Assert.Equal((3L, 1L), (now.Requests, now.Errors));
        Assert.Equal(["web"], history.Services);
    }

    /// <summary>Bucket counts of requests of these durations.</summary>
    private static long[] Counts(params (TimeSpan Duration, long Count)[] requests)
    {
        var counts = new long[RequestHistory.LatencyBounds.Length + 1];
        foreach (var (duration, count) in requests)
        {
            counts[RequestHistory.Bucket(duration)] += count;
        }

        return counts;
    }

    private static double Milliseconds(long[] counts, double q) => Math.Round(RequestHistory.Quantile(counts, q)!.Value.TotalMilliseconds, 3);
}
