using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Hosting;

/// <summary>
/// Tells systemd how the gateway is (<c>Type=notify</c>): one datagram to <c>NOTIFY_SOCKET</c> per
/// change, as <c>sd_notify(3)</c> does. Microsoft.Extensions.Hosting.Systemd says <c>READY=1</c> as
/// soon as the host starts, before any pod is ready, and knows nothing of a hand-over's
/// <c>RELOADING=1</c> and <c>MAINPID=</c>; the protocol is these few lines. Without
/// <c>NOTIFY_SOCKET</c> (not run by systemd) nothing is sent. A failed send is logged, never fatal.
/// </summary>
internal sealed partial class SystemdNotifier(EndPoint? socket, ILogger<SystemdNotifier>? logger = null)
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    public static SystemdNotifier FromEnvironment(ILogger<SystemdNotifier>? logger = null) =>
        new(EndPointOf(Environment.GetEnvironmentVariable(SocketVariable)), logger);

    public bool IsEnabled => socket is not null;

    /// <summary>The socket <c>NOTIFY_SOCKET</c> names: a path, or <c>@name</c> in the abstract namespace; null for anything else.</summary>
    public static EndPoint? EndPointOf(string? value) => value switch
    {
        ['/', ..] => new UnixDomainSocketEndPoint(value),
        ['@', _, ..] => new UnixDomainSocketEndPoint("\0" + value[1..]),
        _ => null,
    };

    public void Notify(string state)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            using var datagram = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            datagram.SendTo(Encoding.UTF8.GetBytes(state), socket);
        }
        catch (SocketException e)
        {
            if (logger is not null)
            {
                Log.SendFailed(logger, state.Split('\n')[0], e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "systemd notification {State} not sent: {Reason}")]
        public static partial void SendFailed(ILogger logger, string state, string reason);
    }
}

/// <summary>The notifications the gateway sends, as <c>sd_notify(3)</c> spells them.</summary>
internal static class SystemdState
{
    public const string Stopping = "STOPPING=1";
    public const string Watchdog = "WATCHDOG=1";

    /// <summary>Ready, with what readiness was reached on (every service ready, or the wait's end).</summary>
    public static string Ready(string status) => $"READY=1\nSTATUS={OneLine(status)}";

    /// <summary>A hand-over began; systemd waits for the next <c>READY=1</c> (<c>MONOTONIC_USEC</c> for <c>Type=notify-reload</c>).</summary>
    public static string Reloading(long monotonicMicroseconds) =>
        $"RELOADING=1\nMONOTONIC_USEC={monotonicMicroseconds.ToString(CultureInfo.InvariantCulture)}\nSTATUS=handing over to a new gateway process";

    /// <summary>The hand-over is done: the new process is the service's main process, and it is ready.</summary>
    public static string HandedOver(int pid, string status) =>
        $"MAINPID={pid.ToString(CultureInfo.InvariantCulture)}\nREADY=1\nSTATUS={OneLine(status)}";

    /// <summary>
    /// How often to say <c>WATCHDOG=1</c>: half of <c>WATCHDOG_USEC</c>, as <c>sd_watchdog_enabled(3)</c>
    /// advises; null when systemd asks for none, or asks another process (<c>WATCHDOG_PID</c>).
    /// </summary>
    public static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && pid != ownPid.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
