using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Specs;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Hosting;

/// <summary>
/// Words a listener that could not bind as a user error: the field that names the address, the
/// address, why (and for a port in use, what holds it), and the fix.
/// </summary>
internal static partial class ListenerFailure
{
    /// <summary>The line for Kestrel's bind failure <paramref name="e"/>; null when it is not one.</summary>
    /// <param name="holderOf">Describes what holds a port, e.g. <c>held by pid 1234 (nginx)</c>.</param>
    public static string? Describe(IOException e, GatewaySpec spec, Func<int, string> holderOf)
    {
        if (BindMessage().Match(e.Message) is not { Success: true } match)
        {
            return null;
        }

        var address = match.Groups["address"].Value;
        var port = Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri.Port : -1;
        var field = HasPort(spec.ProxyUrls, port) ? "Gateway:Proxy:Urls" : HasPort(spec.AdminUrls, port) ? "Gateway:Admin:Urls" : "Gateway";
        var inUse = Chain(e).Any(x => x is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse });
        if (!inUse)
        {
            var reason = Chain(e).Last().Message;
            return $"{field}: cannot listen on {address}: {reason}; choose another address or port";
        }

        var both = HasPort(spec.ProxyUrls, port) && HasPort(spec.AdminUrls, port);
        var holder = both ? "the Proxy and the Admin listener name the same port" : holderOf(port);
        return $"{field}: cannot listen on {address}: address already in use, {holder}; stop it or choose another port";
    }

    private static bool HasPort(string urls, int port) =>
        port > 0 && urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(u => Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port == port);

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use." or "... address http://127.0.0.1:80."
    [GeneratedRegex(@"^Failed to bind to address (?<address>\S+?)(: address already in use)?\.?$")]
    private static partial Regex BindMessage();
}
