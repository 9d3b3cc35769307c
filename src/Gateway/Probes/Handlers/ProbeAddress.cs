using System.Globalization;
using System.Net.Sockets;

namespace Gateway.Probes.Handlers;

/// <summary>Ports, addresses, sockets and dial errors shared by the network probes.</summary>
internal static class ProbeAddress
{
    /// <summary>A probe's port by number or by <c>ports[].name</c>; null when missing, unknown or out of range.</summary>
    public static int? ResolvePort(string? port, ProbeTarget target) =>
        string.IsNullOrEmpty(port) ? null
        : target.ResolvePort(port) is int number && number is > 0 and <= 65535 ? number
        : null;

    /// <summary>
    /// Why a port did not resolve, in the kubelet's words (<c>extractPort</c>): a name no port has is
    /// tried as a number, so it reads <c>strconv.Atoi: parsing "http": invalid syntax</c>, the message
    /// users find when they search for it. The validator refuses such ports at load time with the
    /// field and the fix; this is only for a port that stopped resolving.
    /// </summary>
    public static string PortNotFound(string? port) =>
        string.IsNullOrEmpty(port) ? "invalid port number: 0"
        : long.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? $"invalid port number: {number}"
        : $"strconv.Atoi: parsing \"{port}\": invalid syntax";

    /// <summary>Go's <c>net.JoinHostPort</c>: an IPv6 literal is put in brackets.</summary>
    public static string JoinHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')
            ? $"[{host}]:{port}"
            : $"{host}:{port}";

    /// <summary>
    /// A connected socket like the kubelet's probe dialer (<c>pkg/probe/dialer_others.go</c>), in the
    /// pod's network namespace when it has one: <c>SO_LINGER</c> on with 1 s, so closing it is an
    /// orderly FIN the app sees as a client that went away (not a "connection reset by peer" in its
    /// log, as linger 0 gave), and a close whose last bytes the app does not take is cut off after a
    /// second rather than lingering in FIN_WAIT.
    /// </summary>
    public static ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken) =>
        Runtimes.PodNetworks.Shared.ConnectAsync(host, port, static socket =>
        {
            socket.NoDelay = true;
            socket.LingerState = new LingerOption(true, KubeletLingerSeconds);
        }, cancellationToken);

    /// <summary>The kubelet's probe linger, in seconds.</summary>
    public const int KubeletLingerSeconds = 1;

    /// <summary>A dial error worded like Go's <c>net.OpError</c>.</summary>
    public static string DialError(string address, SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => $"dial tcp {address}: connect: connection refused",
        SocketError.TimedOut => $"dial tcp {address}: i/o timeout",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"dial tcp {address}: lookup: no such host",
        SocketError.NetworkUnreachable => $"dial tcp {address}: connect: network is unreachable",
        SocketError.HostUnreachable => $"dial tcp {address}: connect: no route to host",
        _ => $"dial tcp {address}: {exception.Message}",
    };
}
