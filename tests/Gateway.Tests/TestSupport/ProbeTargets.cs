using Gateway.Probes;
using Gateway.Runtimes;

namespace Gateway.Tests.TestSupport;

/// <summary>Targets for handler tests.</summary>
internal static class ProbeTargets
{
    public static ProbeTarget Target(params PortMapping[] ports) => new()
    {
        PodIp = "127.0.0.1",
        Ports = ports,
        Exec = (_, _, _) => throw new InvalidOperationException("no exec in this test"),
    };

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
