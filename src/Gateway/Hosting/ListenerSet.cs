using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>
/// The gateway's listening sockets, Proxy and Admin, bound by the gateway itself rather than by
/// Kestrel from URLs, so that a hand-over can pass them to the next gateway (<see cref="Handover"/>)
/// and a gateway started by one can take them (<see cref="HandoverPlan"/>). Kestrel listens on a
/// duplicate descriptor of each (<c>ListenHandle</c>) and closes only that one when it stops; the set
/// keeps the original until the process ends. A bind that fails says so in Kestrel's own words
/// (<see cref="ListenerFailure"/> reads them), before anything else starts.
/// </summary>
internal sealed class ListenerSet(string proxyUrls, string adminUrls, IReadOnlyList<PassedListener>? passed = null) : IDisposable
{
    public const string ProxyRole = "Proxy";
    public const string AdminRole = "Admin";

    /// <summary>Kestrel's default backlog.</summary>
    private const int Backlog = 512;

    private readonly IReadOnlyList<PassedListener> _passed = passed ?? [];
    private readonly List<Bound> _bound = [];
    private readonly List<int> _kestrelDescriptors = [];
    private readonly Lock _lock = new();
    private bool _didBind;

    /// <summary>One listening socket: what it is for and the socket the set owns.</summary>
    public sealed record Bound(string Role, ListenAddress Address, int Index, Socket Socket, bool WasPassed)
    {
        public int Descriptor => (int)Socket.SafeHandle.DangerousGetHandle();
    }

    /// <summary>Whether this gateway was started by a hand-over (it got sockets from the previous one).</summary>
    public bool FromHandover => _passed.Count > 0;

    public IReadOnlyList<Bound> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _bound];
            }
        }
    }

    /// <summary>Takes the passed sockets the settings still want and binds the rest; once. Closes the passed ones no URL wants.</summary>
    /// <exception cref="IOException">A socket could not be bound: Kestrel's message, the <see cref="SocketException"/> inside.</exception>
    public void Bind()
    {
        lock (_lock)
        {
            if (_didBind)
            {
                return;
            }

            _didBind = true;
            var wanted = ListenAddress.ParseAll(proxyUrls).Select(a => (ProxyRole, a))
                .Concat(ListenAddress.ParseAll(adminUrls).Select(a => (AdminRole, a))).ToList();
            var (plan, unused) = HandoverPlan.Match(wanted, _passed);
            foreach (var fd in unused)
            {
                SocketPassing.CloseDescriptor(fd.Descriptor);
            }

            foreach (var listener in plan.Where(p => p.Passed is not null))
            {
                _bound.Add(new Bound(listener.Role, listener.Address, listener.Index, new Socket(new SafeSocketHandle(listener.Passed!.Descriptor, ownsHandle: true)), true));
            }

            foreach (var listener in plan.Where(p => p.Passed is null))
            {
                if (Listen(listener) is { } socket)
                {
                    _bound.Add(new Bound(listener.Role, listener.Address, listener.Index, socket, false));
                }
            }
        }
    }

    /// <summary>Makes Kestrel listen on the sockets of <paramref name="role"/>, each through a descriptor of its own.</summary>
    public void ListenOn(KestrelServerOptions kestrel, string role)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        Bind();
        lock (_lock)
        {
            foreach (var bound in _bound.Where(b => b.Role == role))
            {
                var fd = SocketPassing.Duplicate(bound.Descriptor);
                _kestrelDescriptors.Add(fd);
                kestrel.ListenHandle((ulong)fd, listen =>
                {
                    if (bound.Address.Https)
                    {
                        listen.UseHttps();
                    }
                });
            }
        }
    }

    /// <summary>
    /// Called as the gateway begins to stop, before Kestrel does: see <see cref="SocketPassing.KeepOnExec"/>.
    /// No way of closing Kestrel's descriptors then shuts the sockets the next gateway serves on.
    /// </summary>
    public void BeforeKestrelStops()
    {
        lock (_lock)
        {
            foreach (var fd in _kestrelDescriptors)
            {
                SocketPassing.KeepOnExec(fd);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var bound in _bound)
            {
                bound.Socket.Dispose();
            }

            _bound.Clear();
        }
    }

    /// <summary>The socket for one endpoint; null for localhost's [::1] where this host has no IPv6 (Kestrel binds 127.0.0.1 alone then).</summary>
    private static Socket? Listen(PlannedListener listener)
    {
        var endPoint = listener.EndPoint;
        try
        {
            return Open(endPoint, listener.Address.AnyInterface);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable && endPoint is IPEndPoint ip)
        {
            if (listener.Address.AnyInterface)
            {
                return Open(new IPEndPoint(IPAddress.Any, ip.Port), false, listener.Address);
            }

            if (listener.Address.EndPoints.Count > 1 && IPAddress.IsLoopback(ip.Address) && ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return null;
            }

            throw BindFailed(listener.Address, endPoint, e);
        }
        catch (SocketException e)
        {
            throw BindFailed(listener.Address, endPoint, e);
        }
    }

    private static Socket Open(EndPoint endPoint, bool dualMode, ListenAddress? forErrors = null)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode)
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch (SocketException e) when (forErrors is not null)
        {
            socket.Dispose();
            throw BindFailed(forErrors, endPoint, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IOException BindFailed(ListenAddress address, EndPoint endPoint, SocketException e) =>
        e.SocketErrorCode == SocketError.AddressAlreadyInUse
            ? new IOException($"Failed to bind to address {address.Display(endPoint)}: address already in use.", e)
            : new IOException($"Failed to bind to address {address.Display(endPoint)}.", e);
}
