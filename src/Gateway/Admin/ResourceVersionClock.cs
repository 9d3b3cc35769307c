namespace Gateway.Admin;

/// <summary>
/// The source of <c>resourceVersion</c>s: one number that grows with every change of any object the
/// admin API serves, as etcd's revision does. It starts from the clock (microseconds since the
/// epoch), so a restarted gateway gives versions above every one its predecessor gave, and a client
/// that watches from an old one is told it is too old (410) and lists again instead of missing changes.
/// </summary>
internal sealed class ResourceVersionClock(TimeProvider time)
{
    private long _last = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    /// <summary>The newest version given.</summary>
    public long Current => Interlocked.Read(ref _last);

    public long Next() => Interlocked.Increment(ref _last);
}
