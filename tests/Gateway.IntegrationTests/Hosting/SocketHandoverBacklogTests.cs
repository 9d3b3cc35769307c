using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Why the hand-over passes the listening socket itself rather than opening a second one with
/// SO_REUSEPORT: connections queued in a socket's backlog belong to that socket. Passed over
/// SCM_RIGHTS, the socket outlives the old process's descriptors, backlog and all; a second
/// SO_REUSEPORT socket has a backlog of its own, and what was queued on the first is reset when it
/// closes. Real TCP sockets on loopback, and a real Unix socket for the passing.
/// </summary>
public sealed class SocketHandoverBacklogTests
{
    private const int Queued = 20;

    [Fact]
    public async Task PassedSocket_ConnectionsQueuedWhenTheOldDescriptorsClose_AreAllAcceptedByTheReceiver()
    {
        using var owned = Listen();
        var endPoint = (IPEndPoint)owned.LocalEndPoint!;

        // Kestrel's descriptor, with an accept pending, as Kestrel's accept loop always has one.
        var kestrel = new Socket(new SafeSocketHandle(SocketPassing.Duplicate(Fd(owned)), ownsHandle: true));
        var pending = kestrel.AcceptAsync();
        using var received = Pass(owned);

        // The old gateway stops: what ListenerSet.BeforeKestrelStops does, then Kestrel's close.
        SocketPassing.KeepOnExec((int)kestrel.SafeHandle.DangerousGetHandle());
        kestrel.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(async () => await pending);

        // Connections queue while nobody accepts, then the old gateway's last descriptor closes.
        var clients = await ConnectAsync(endPoint, Queued);
        owned.Close();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < Queued; i++)
        {
            using var server = await received.AcceptAsync(deadline.Token);
            await server.SendAsync("x"u8.ToArray());
        }

        var answered = 0;
        foreach (var client in clients)
        {
            answered += await client.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(5)) == 1 ? 1 : 0;
            client.Dispose();
        }

        Assert.Equal(Queued, answered);
    }

    [Fact]
    public async Task PassedSocket_ClosedByDotNetWithABlockingAcceptPending_IsShutForTheReceiverToo()
    {
        // The trap ListenerSet.BeforeKestrelStops guards against: .NET, closing a close-on-exec socket
        // that a blocking call waits on, first disconnects it to wake the call, and for a listening
        // socket that shuts the socket itself, in every process that holds it. (Kestrel's accepts are
        // asynchronous, which .NET closes plainly, as the test above shows; the guard keeps it so.)
        using var owned = Listen();
        var endPoint = (IPEndPoint)owned.LocalEndPoint!;
        var old = new Socket(new SafeSocketHandle(SocketPassing.Duplicate(Fd(owned)), ownsHandle: true));
        var blocked = Task.Run(old.Accept);
        await Task.Delay(200); // let the call block
        using var received = Pass(owned);

        old.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10)));

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ReusePortSecondSocket_ConnectionsQueuedOnTheFirst_AreResetWhenItCloses()
    {
        using var first = Listen(reusePort: true);
        var endPoint = (IPEndPoint)first.LocalEndPoint!;
        using var second = Listen(reusePort: true, endPoint.Port);
        var clients = await ConnectAsync(endPoint, Queued); // the kernel spreads them over both backlogs
        first.Close();

        var accepted = 0;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            try
            {
                while (true)
                {
                    using var server = await second.AcceptAsync(deadline.Token);
                    accepted++;
                }
            }
            catch (OperationCanceledException)
            {
                // Nothing more queued.
            }
        }

        var reset = 0;
        foreach (var client in clients)
        {
            try
            {
                reset += await client.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(1)) == 0 ? 1 : 0;
            }
            catch (SocketException)
            {
                reset++;
            }
            catch (TimeoutException)
            {
                // Still queued nowhere and not answered: counted neither way.
            }

            client.Dispose();
        }

        Assert.True(accepted < Queued && reset > 0, $"of {Queued} connections the second SO_REUSEPORT socket accepted {accepted}; {reset} were reset");
    }

    private static int Fd(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    private static Socket Listen(bool reusePort = false, int port = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (reusePort)
        {
            socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
        }

        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(64);
        return socket;
    }

    /// <summary>Passes <paramref name="listener"/> over a Unix socket and returns the socket made from the descriptor received.</summary>
    private static Socket Pass(Socket listener)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("handover-").FullName, "h.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen(1);
        using var sender = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        sender.Connect(new UnixDomainSocketEndPoint(path));
        using var receiver = server.Accept();
        SocketPassing.Send(sender, "0\thttp://127.0.0.1:0\n"u8, [Fd(listener)]);
        var payload = SocketPassing.Receive(receiver, 4096, out var descriptors);
        var passed = Assert.Single(HandoverClient.Parse(System.Text.Encoding.UTF8.GetString(payload), descriptors));
        Assert.Equal(listener.LocalEndPoint!.ToString(), passed.Local.ToString());
        Assert.True(SocketPassing.IsCloseOnExec(passed.Descriptor), "a received descriptor is close-on-exec, so that no pod inherits it");
        return new Socket(new SafeSocketHandle(passed.Descriptor, ownsHandle: true));
    }

    private static async Task<List<Socket>> ConnectAsync(IPEndPoint endPoint, int count)
    {
        var clients = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(endPoint);
            clients.Add(client);
        }

        return clients;
    }
}
