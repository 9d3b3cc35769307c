using System.Threading.Channels;
using Gateway.Admin;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Admin;

public sealed class WatchCacheTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void Apply_EachChange_StampsAGrowingVersionAndTheSnapshotIsAtTheLast()
    {
        var cache = Cache();

        cache.Apply("a", Pod("a"));
        cache.Apply("b", Pod("b"));
        cache.Apply("a", Pod("a"));

        var versions = cache.Current.Items.Values.Select(p => long.Parse(p.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0] > versions[1], "a changed last");
        Assert.Equal(versions[0], cache.Current.Version);
    }

    [Fact]
    public void Watch_FromAVersion_ReplaysEveryLaterChangeOnceInOrderThenQueuesTheNext()
    {
        var cache = Cache();
        cache.Apply("a", Pod("a"));
        var from = cache.Current.Version;
        cache.Apply("a", Pod("a"));
        cache.Apply("a", null);
        var queue = Channel.CreateUnbounded<WatchChange<V1Pod>>();

        var start = cache.Watch(from, queue.Writer);
        cache.Apply("b", Pod("b"));

        Assert.False(start.Expired);
        Assert.Equal([(true, true), (true, false)], start.Replay.Select(c => (c.Before is not null, c.After is not null)));
        Assert.True(start.Replay[0].Version < start.Replay[1].Version);
        Assert.True(queue.Reader.TryRead(out var next));
        Assert.Equal("b", next.After!.Metadata.Name);
        Assert.True(next.Version > start.Replay[1].Version);
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public void Watch_WithoutVersion_EveryCurrentObjectAsAdded()
    {
        var cache = Cache();
        cache.Apply("a", Pod("a"));
        cache.Apply("b", Pod("b"));
        cache.Apply("b", null);

        var start = cache.Watch(null, Channel.CreateUnbounded<WatchChange<V1Pod>>().Writer);

        var added = Assert.Single(start.Replay);
        Assert.Equal(("a", null), (added.After!.Metadata.Name, added.Before));
        Assert.Equal(cache.Current.Version, start.Version);
    }

    [Fact]
    public void Watch_OlderThanTheHistory_Expired()
    {
        var cache = Cache(history: 2);
        cache.Apply("a", Pod("a"));
        var old = cache.Current.Version;
        cache.Apply("a", Pod("a"));
        var kept = cache.Current.Version;
        cache.Apply("a", Pod("a"));
        cache.Apply("a", Pod("a"));

        Assert.True(cache.Watch(old, Channel.CreateUnbounded<WatchChange<V1Pod>>().Writer).Expired);
        var start = cache.Watch(kept, Channel.CreateUnbounded<WatchChange<V1Pod>>().Writer);
        Assert.False(start.Expired);
        Assert.Equal(2, start.Replay.Count);
    }

    [Fact]
    public void Apply_WatcherQueueFull_ClosesThatWatch()
    {
        var cache = Cache();
        var queue = Channel.CreateBounded<WatchChange<V1Pod>>(1);
        cache.Watch(null, queue.Writer);

        cache.Apply("a", Pod("a"));
        cache.Apply("a", Pod("a"));

        Assert.True(queue.Reader.TryRead(out _));
        Assert.True(queue.Reader.Completion.IsCompleted);
    }

    [Fact]
    public void ResourceVersionClock_StartsFromTheClock_SoARestartedGatewayGivesHigherVersions()
    {
        var first = new ResourceVersionClock(_time);
        for (var i = 0; i < 100; i++)
        {
            first.Next();
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(new ResourceVersionClock(_time).Current > first.Current);
    }

    internal static V1Pod Pod(string name) => new() { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "web" } } };

    private WatchCache<V1Pod> Cache(int history = 100) => new(new ResourceVersionClock(_time), history);
}
