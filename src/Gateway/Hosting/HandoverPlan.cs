using System.Net;

namespace Gateway.Hosting;

/// <summary>A listening socket the previous gateway passed: which of its URLs and which of that URL's sockets it was, and where it is bound.</summary>
/// <param name="Url">The URL the previous gateway bound it for.</param>
/// <param name="Index">Which of the URL's sockets (<c>localhost</c> has two).</param>
/// <param name="Local">The socket's own local address (for a port chosen at bind time, the port chosen).</param>
/// <param name="Descriptor">The descriptor in this process.</param>
internal sealed record PassedListener(string Url, int Index, EndPoint Local, int Descriptor);

/// <summary>What a listener of the new settings is made of: a passed socket, or one to bind.</summary>
/// <param name="Role"><c>Proxy</c> or <c>Admin</c>.</param>
/// <param name="Address">The URL and what it binds.</param>
/// <param name="Index">Which of the URL's endpoints.</param>
/// <param name="Passed">The socket to take over; null: bind a new one.</param>
internal sealed record PlannedListener(string Role, ListenAddress Address, int Index, PassedListener? Passed)
{
    public EndPoint EndPoint => Address.EndPoints[Index];
}

/// <summary>
/// Which passed sockets a new gateway keeps. Each endpoint of its URLs takes the socket passed for
/// the same URL and endpoint (so <c>127.0.0.1:0</c> keeps the port it was given), else a passed socket
/// bound to the same address (so <c>localhost:8080</c> after <c>127.0.0.1:8080</c> keeps the socket
/// and needs no second bind, which the old gateway's socket would refuse); only what is left is bound
/// anew. A passed socket no URL wants any more is closed: the old gateway closes its own when it exits.
/// </summary>
internal static class HandoverPlan
{
    public static (IReadOnlyList<PlannedListener> Listeners, IReadOnlyList<PassedListener> Unused) Match(
        IReadOnlyList<(string Role, ListenAddress Address)> wanted, IReadOnlyList<PassedListener> passed)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(passed);
        var left = passed.ToList();
        var planned = new List<PlannedListener>();
        foreach (var (role, address) in wanted)
        {
            for (var i = 0; i < address.EndPoints.Count; i++)
            {
                var endPoint = address.EndPoints[i];
                var taken = left.FirstOrDefault(p => p.Url == address.Url && p.Index == i && SameFamily(p.Local, endPoint))
                    ?? left.FirstOrDefault(p => SameAddress(p.Local, endPoint));
                if (taken is not null)
                {
                    left.Remove(taken);
                }

                planned.Add(new PlannedListener(role, address, i, taken));
            }
        }

        return (planned, left);
    }

    private static bool SameFamily(EndPoint a, EndPoint b) => a.AddressFamily == b.AddressFamily;

    private static bool SameAddress(EndPoint passed, EndPoint wanted) =>
        wanted is not IPEndPoint { Port: 0 } && passed.AddressFamily == wanted.AddressFamily && passed.ToString() == wanted.ToString();
}
