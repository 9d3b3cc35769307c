using System.Net;
using System.Net.Sockets;

namespace Gateway.Admin;

/// <summary>
/// The defence against DNS rebinding: a browser page on another site can make a name of its own
/// resolve to 127.0.0.1, but it cannot change the <c>Host</c> the browser sends. So only names that
/// cannot be rebound pass: <c>localhost</c> and <c>*.localhost</c> (RFC 6761 keeps them on
/// loopback), IP literals, and the names in <c>Gateway:Admin:Hosts</c>.
/// </summary>
internal static class AdminHostRule
{
    public const string Setting = "Gateway:Admin:Hosts";

    /// <summary>Whether a request for <paramref name="host"/> (the <c>Host</c> header without its port) may reach the admin API.</summary>
    public static bool IsAllowed(string host, IReadOnlyList<string> names)
    {
        var name = host.TrimEnd('.');
        if (name.Length == 0)
        {
            return false;
        }

        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            return IPAddress.TryParse(name[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // Only the dotted-quad form: "2130706433" and "0x7f.1" parse as IPv4 too, but are not what a browser sends for an address.
        if (IPAddress.TryParse(name, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && v4.ToString() == name)
        {
            return true;
        }

        return names.Any(n => string.Equals(n.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase));
    }
}
