using System.Text;
using System.Text.Json.Nodes;
using Gateway.Admin;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Admin;

public sealed class WatchResultTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public async Task Execute_FromAVersion_EachChangeAsAWatchEventLineUntilTheTimeout()
    {
        var cache = new WatchCache<V1Pod>(new ResourceVersionClock(_time), 100);
        cache.Apply("a", WatchCacheTests.Pod("a"));
        var from = cache.Current.Version;
        cache.Apply("a", WatchCacheTests.Pod("a"));
        var (context, body) = Context();

        var running = Watch(cache, Options(from, TimeSpan.FromSeconds(5)), _ => true).ExecuteAsync(context);
        cache.Apply("a", null);
        await WaitForLinesAsync(body, 2);
        _time.Advance(TimeSpan.FromSeconds(5));
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        var lines = Lines(body);
        Assert.Equal(["MODIFIED", "DELETED"], lines.Select(l => l["type"]!.GetValue<string>()));
        Assert.All(lines, l => Assert.Equal("a", l["object"]!["metadata"]!["name"]!.GetValue<string>()));
        var versions = lines.Select(l => long.Parse(l["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(versions[0] > from && versions[1] > versions[0], string.Join(",", versions));
        Assert.Equal(versions[1], cache.Current.Version);
    }

    [Fact]
    public async Task Execute_ObjectEntersAndLeavesTheSelector_AddedThenDeletedWithItsLastState()
    {
        var cache = new WatchCache<V1Pod>(new ResourceVersionClock(_time), 100);
        var (context, body) = Context();

        var running = Watch(cache, Options(null, TimeSpan.FromSeconds(5)), p => p.Status?.Phase == "Running").ExecuteAsync(context);
        cache.Apply("a", WatchCacheTests.Pod("a"));
        cache.Apply("a", Phase("a", "Running"));
        cache.Apply("a", Phase("a", "Running"));
        cache.Apply("a", Phase("a", "Failed"));
        await WaitForLinesAsync(body, 3);
        _time.Advance(TimeSpan.FromSeconds(5));
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        var lines = Lines(body);
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], lines.Select(l => l["type"]!.GetValue<string>()));
        Assert.Equal("Running", lines[2]["object"]!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(cache.Current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[2]["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Execute_TooOld_ErrorEventWith410Expired()
    {
        var cache = new WatchCache<V1Pod>(new ResourceVersionClock(_time), 1);
        cache.Apply("a", WatchCacheTests.Pod("a"));
        var old = cache.Current.Version;
        cache.Apply("a", WatchCacheTests.Pod("a"));
        cache.Apply("a", WatchCacheTests.Pod("a"));
        var (context, body) = Context();

        await Watch(cache, Options(old, TimeSpan.FromSeconds(5)), _ => true).ExecuteAsync(context).WaitAsync(TimeSpan.FromSeconds(10));

        var error = Assert.Single(Lines(body));
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal((410, "Expired", "Status"), (error["object"]!["code"]!.GetValue<int>(), error["object"]!["reason"]!.GetValue<string>(), error["object"]!["kind"]!.GetValue<string>()));
        Assert.StartsWith($"too old resource version: {old} (", error["object"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Bookmarks_EveryIntervalAndAtTheTimeout_AtTheLastVersionSent()
    {
        var cache = new WatchCache<V1Pod>(new ResourceVersionClock(_time), 100);
        cache.Apply("a", WatchCacheTests.Pod("a"));
        var (context, body) = Context();

        var running = new WatchResult<V1Pod>(cache, Options(null, TimeSpan.FromSeconds(90), bookmarks: true), _ => true, Render, "Pod", _time) { BookmarkInterval = TimeSpan.FromSeconds(60) }
            .ExecuteAsync(context);
        await WaitForLinesAsync(body, 1);
        _time.Advance(TimeSpan.FromSeconds(60));
        await WaitForLinesAsync(body, 2);
        _time.Advance(TimeSpan.FromSeconds(30));
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        var lines = Lines(body);
        Assert.Equal(["ADDED", "BOOKMARK", "BOOKMARK"], lines.Select(l => l["type"]!.GetValue<string>()));
        Assert.All(lines.Skip(1), l => Assert.Equal(cache.Current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), l["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()));
        Assert.Equal("Pod", lines[1]["object"]!["kind"]!.GetValue<string>());
    }

    private static V1Pod Phase(string name, string phase)
    {
        var pod = WatchCacheTests.Pod(name);
        pod.Status = new V1PodStatus { Phase = phase };
        return pod;
    }

    private WatchResult<V1Pod> Watch(WatchCache<V1Pod> cache, ListRequest options, Func<V1Pod, bool> selected) => new(cache, options, selected, Render, "Pod", _time);

    private static JsonNode Render(V1Pod pod, DateTimeOffset now) => JsonNode.Parse(KubernetesJson.Serialize(pod))!;

    private static ListRequest Options(long? from, TimeSpan timeout, bool bookmarks = false) =>
        new(LabelSelector.Everything, FieldSelector.Everything, Watch: true, from, timeout, bookmarks, Table: false);

    private static (DefaultHttpContext Context, LockedStream Body) Context()
    {
        var body = new LockedStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

    private static List<JsonNode> Lines(LockedStream body) =>
        [.. body.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];

    /// <summary>Waits (bounded) until the watch wrote this many lines: the watch runs on its own task.</summary>
    private static async Task WaitForLinesAsync(LockedStream body, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (body.Text.Count(c => c == '\n') < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited for {count} lines; have: {body.Text}");
            await Task.Delay(5);
        }
    }

    /// <summary>A response body the test reads while the watch writes.</summary>
    private sealed class LockedStream : MemoryStream
    {
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                base.Write(buffer.Span);
            }

            return ValueTask.CompletedTask;
        }
    }
}
