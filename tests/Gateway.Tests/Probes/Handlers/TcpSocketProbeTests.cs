using System.Net;
using System.Net.Sockets;
using Gateway.Probes;
using Gateway.Probes.Handlers;
using Gateway.Runtimes;
using Gateway.Tests.TestSupport;
using k8s.Models;

namespace Gateway.Tests.Probes.Handlers;

public sealed class TcpSocketProbeTests
{
    // Generous where the timeout is not what is tested: process start, JIT and the first HTTP/2
    // connection can take most of a second while other test classes run in parallel.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    // The real clock only bounds each probe (ProbeTimeout) against a hung socket; no test here is about the timeout.
    private readonly TcpSocketProbe _probe = new(TimeProvider.System);

    [Fact]
    public async Task ProbeAsync_OpenPort_Succeeds()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var outcome = await _probe.ProbeAsync(new V1TCPSocketAction { Port = port.ToString() }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success(), outcome);
    }

    [Fact]
    public async Task ProbeAsync_OpenPort_ClosesWithFinNotReset()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var outcome = await _probe.ProbeAsync(new V1TCPSocketAction { Port = port.ToString() }, ProbeTargets.Target(), ProbeTimeout, default);
        using var accepted = await listener.AcceptSocketAsync().WaitAsync(ProbeTimeout);

        // The app reads the probe's close: an orderly end of stream (0 bytes), as from the kubelet;
        // a linger-0 close would make this read throw ConnectionReset.
        Assert.Equal(ProbeOutcome.Success(), outcome);
        Assert.Equal(0, await accepted.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(ProbeTimeout));
    }

    [Fact]
    public async Task ProbeAsync_ClosedPort_Fails()
    {
        var port = ProbeTargets.ClosedPort();

        var outcome = await _probe.ProbeAsync(new V1TCPSocketAction { Port = port.ToString() }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Failure($"dial tcp 127.0.0.1:{port}: connect: connection refused"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_NamedPortAndHost_UsesThem()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = new ProbeTarget
        {
            PodIp = "192.0.2.1",
            Ports = [new PortMapping("db", 5432, ((IPEndPoint)listener.LocalEndpoint).Port)],
            Exec = (_, _, _) => throw new InvalidOperationException("no exec in this test"),
        };

        var outcome = await _probe.ProbeAsync(new V1TCPSocketAction { Host = "127.0.0.1", Port = "db" }, target, ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
    }

    [Fact]
    public async Task ProbeAsync_UnknownPortName_IsError()
    {
        var outcome = await _probe.ProbeAsync(new V1TCPSocketAction { Port = "db" }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.True(outcome.IsError);
    }
}
