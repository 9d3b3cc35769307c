using System.Net;
using System.Net.Sockets;

namespace Gateway.Runtimes;

/// <summary>
/// Gives each declared container port a free loopback port. The kernel picks the port (bind to 0);
/// ports handed out and not yet released are never handed out twice.
/// </summary>
public sealed class PortAllocator
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _inUse = [];

    public int Allocate()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            lock (_lock)
            {
                if (_inUse.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free loopback port found after 100 attempts");
    }

    /// <summary>Marks ports given out by an earlier gateway (to pods this one adopted) as in use.</summary>
    public void Reserve(IEnumerable<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        lock (_lock)
        {
            _inUse.UnionWith(ports);
        }
    }

    public void Release(IEnumerable<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        lock (_lock)
        {
            foreach (var port in ports)
            {
                _inUse.Remove(port);
            }
        }
    }
}
