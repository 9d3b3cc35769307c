using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public sealed class PortHolderTests
{
    private const string Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    [Theory]
    [InlineData("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0", 8080, new long[] { 4242 })]
    [InlineData("   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0", 8080, new long[] { 17 })]
    [InlineData("   0: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0", 8080, new long[0])]
    [InlineData("   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4244 1 0", 8080, new long[0])]
    [InlineData("   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 99 1 0", 8080, new long[] { 99 })]
    [InlineData("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0", 8080, new long[0])]
    [InlineData("garbage", 8080, new long[0])]
    public void ListeningInodes_ProcNetTcpLine_ListenersOnThePortOnly(string line, int port, long[] expected)
    {
        Assert.Equal(expected, PortHolder.ListeningInodes(Header + line + "\n", port));
    }

    [Fact]
    public void Describe_PortThisProcessListensOn_NamesThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        Assert.Equal("held by this gateway itself", PortHolder.Describe(((IPEndPoint)listener.LocalEndpoint).Port));
    }

    [Fact]
    public void Describe_PortNobodyListensOn_SaysTheHolderIsNotVisible()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        Assert.StartsWith("held by a process not visible here", PortHolder.Describe(port), StringComparison.Ordinal);
    }
}
