using System.Net;
using System.Net.Sockets;

namespace Gateway.Hosting;

/// <summary>
/// What one listener URL binds, by Kestrel's rules for <c>UseUrls</c>: <c>localhost</c> is
/// 127.0.0.1 and [::1]; an IP literal is that address; <c>*</c>, <c>+</c> or any other name is every
/// interface (IPv6 dual-mode, else IPv4); <c>http://unix:/path</c> is a Unix socket. The gateway
/// binds these sockets itself (<see cref="ListenerSet"/>) so that it can hand them over.
/// </summary>
/// <param name="Url">The URL as the settings give it, trimmed: the key a hand-over matches on.</param>
/// <param name="Https">Whether the listener serves TLS.</param>
/// <param name="EndPoints">The sockets to bind, in order.</param>
/// <param name="AnyInterface">The endpoint is [::] dual-mode, with 0.0.0.0 as the fallback where IPv6 is missing.</param>
internal sealed record ListenAddress(string Url, bool Https, IReadOnlyList<EndPoint> EndPoints, bool AnyInterface)
{
    /// <summary>Each of the <c>;</c>-separated URLs.</summary>
    public static IReadOnlyList<ListenAddress> ParseAll(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    /// <exception cref="FormatException">The URL is not one Kestrel could bind.</exception>
    public static ListenAddress Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        url = url.Trim();
        var address = BindingAddress.Parse(url);
        var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        if (address.IsUnixPipe)
        {
            return new ListenAddress(url, https, [new UnixDomainSocketEndPoint(address.UnixPipePath)], false);
        }

        var host = address.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (address.Port == 0)
            {
                throw new FormatException($"{url}: a port chosen at bind time (0) needs an address, not localhost: use 127.0.0.1:0 or [::1]:0");
            }

            return new ListenAddress(url, https, [new IPEndPoint(IPAddress.Loopback, address.Port), new IPEndPoint(IPAddress.IPv6Loopback, address.Port)], false);
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            return new ListenAddress(url, https, [new IPEndPoint(ip, address.Port)], ip.Equals(IPAddress.IPv6Any));
        }

        return new ListenAddress(url, https, [new IPEndPoint(IPAddress.IPv6Any, address.Port)], true);
    }

    /// <summary>The address as Kestrel names it in a bind error: <c>http://127.0.0.1:8080</c>.</summary>
    public string Display(EndPoint endPoint) => endPoint switch
    {
        UnixDomainSocketEndPoint unix => $"{(Https ? "https" : "http")}://unix:{unix}",
        _ => $"{(Https ? "https" : "http")}://{endPoint}",
    };
}
