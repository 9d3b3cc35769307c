using System.Collections.Immutable;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The objects of one resource as the admin API shows them, each stamped with the
/// <c>resourceVersion</c> of its last change, and a bounded history of the last changes, so a watch
/// can start from any version the history still covers (the API server's watch cache, in small).
/// Readers take <see cref="Snapshot"/> without a lock; a change, the start of a watch and the delivery
/// of changes to watchers happen under one lock, so a watch sees every change after its version exactly
/// once, in order.
/// </summary>
internal sealed class WatchCache<T>(ResourceVersionClock clock, int capacity)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Queue<WatchChange<T>> _history = new();
    private readonly List<ChannelWriter<WatchChange<T>>> _watchers = [];
    private volatile Snapshot _snapshot = new(clock.Current, ImmutableSortedDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The version of the newest change the history dropped: a watch must start at or after it.</summary>
    private long _forgottenUpTo = clock.Current;

    /// <summary>The objects by key (ordered) and the version they are current at.</summary>
    public sealed record Snapshot(long Version, ImmutableSortedDictionary<string, T> Items);

    /// <summary>
    /// How a watch starts: the changes to replay, and the version the watch is at once it sent them;
    /// or, when the version asked for is older than the history, <see cref="Expired"/> with the oldest it could start from.
    /// </summary>
    public sealed record Start(bool Expired, long Version, IReadOnlyList<WatchChange<T>> Replay);

    public Snapshot Current => _snapshot;

    public long Clock => clock.Current;

    /// <summary>Sets (or with null removes) the object of <paramref name="key"/>, stamping it with a new version.</summary>
    public void Apply(string key, T? after)
    {
        lock (_lock)
        {
            var snapshot = _snapshot;
            snapshot.Items.TryGetValue(key, out var before);
            if (before is null && after is null)
            {
                return;
            }

            var version = clock.Next();
            if (after is not null)
            {
                after.Metadata.ResourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            _snapshot = new Snapshot(version, after is null ? snapshot.Items.Remove(key) : snapshot.Items.SetItem(key, after));
            var change = new WatchChange<T>(version, before, after);
            _history.Enqueue(change);
            while (_history.Count > capacity)
            {
                _forgottenUpTo = _history.Dequeue().Version;
            }

            // A watcher that cannot keep up is closed, as the API server closes an unresponsive watcher; its client watches again.
            _watchers.RemoveAll(w => !w.TryWrite(change) && w.TryComplete());
        }
    }

    /// <summary>
    /// Starts a watch after <paramref name="from"/> (null: from now, every current object as added);
    /// its next changes go to <paramref name="queue"/> until <see cref="Stop"/>.
    /// </summary>
    public Start Watch(long? from, ChannelWriter<WatchChange<T>> queue)
    {
        lock (_lock)
        {
            if (from < _forgottenUpTo)
            {
                return new Start(true, _forgottenUpTo, []);
            }

            var snapshot = _snapshot;
            List<WatchChange<T>> replay = from is { } version
                ? [.. _history.Where(c => c.Version > version)]
                : [.. snapshot.Items.Values.Select(o => new WatchChange<T>(long.Parse(o.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture), null, o))];
            _watchers.Add(queue);
            return new Start(false, Math.Max(from ?? 0, snapshot.Version), replay);
        }
    }

    public void Stop(ChannelWriter<WatchChange<T>> queue)
    {
        lock (_lock)
        {
            _watchers.Remove(queue);
        }
    }
}
