using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP port that was free a moment ago, and never one this test run was given before:
/// the kernel may hand the same ephemeral port to two listeners opened and closed in a row (a
/// gateway's proxy and admin ports), and tests in parallel may ask at once.
/// </summary>
internal static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    public static int Get()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
