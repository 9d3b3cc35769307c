namespace DemoBackend;

/// <summary>Counts the requests served, for <c>GET /stats</c>: how many probes a benchmark's pods really sent.</summary>
internal sealed class RequestCounter
{
    private long requests;

    public long Requests => Interlocked.Read(ref requests);

    public void Increment() => Interlocked.Increment(ref requests);
}
