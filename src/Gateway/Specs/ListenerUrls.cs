using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gateway.Specs;

/// <summary>
/// The listeners' URLs (<c>Gateway:Proxy:Urls</c>, <c>Gateway:Admin:Urls</c>): <c>;</c>-separated, as
/// Kestrel reads them, each checked to be an address Kestrel can bind before anything starts.
/// </summary>
internal static partial class ListenerUrls
{
    private const string Example = "e.g. \"http://127.0.0.1:8080\"";

    /// <summary>One address to bind; <see cref="Host"/> is an IP literal, <c>localhost</c>, <c>*</c> or <c>+</c>.</summary>
    public sealed record Listener(string Url, string Host, int Port);

    /// <summary>The listeners of <paramref name="urls"/>; each unusable one adds an error on <paramref name="path"/>.</summary>
    /// <param name="allowHttps">Whether <c>https://</c> is served (the admin listener makes its own certificate; the proxy's needs Gateway:Proxy:Certificate).</param>
    /// <param name="httpsProblem">What an <c>https://</c> URL lacks when it is not allowed.</param>
    public static List<Listener> Parse(string urls, string path, List<FieldError> errors, bool allowHttps = false, string? httpsProblem = null)
    {
        var listeners = new List<Listener>();
        var before = errors.Count;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Problem(url, allowHttps, httpsProblem, out var listener) is { } problem)
            {
                errors.Add(FieldError.Invalid(path, url, problem));
            }
            else if (listeners.FirstOrDefault(l => Overlap(l, listener!)) is { } earlier)
            {
                errors.Add(FieldError.Invalid(path, url, $"the same port as {GoSyntax.Quote(earlier.Url)}; give each URL its own port"));
            }
            else
            {
                listeners.Add(listener!);
            }
        }

        if (listeners.Count == 0 && errors.Count == before)
        {
            errors.Add(FieldError.Required(path, $"at least one URL to listen on, {Example}"));
        }

        return listeners;
    }

    /// <summary>Whether two listeners would bind the same socket: one port (not 0, which picks a free one) on a common address.</summary>
    public static bool Overlap(Listener a, Listener b)
    {
        if (a.Port != b.Port || a.Port == 0)
        {
            return false;
        }

        return IsAnyAddress(a.Host) || IsAnyAddress(b.Host) || Addresses(a.Host).Intersect(Addresses(b.Host)).Any();
    }

    private static string? Problem(string url, bool allowHttps, string? httpsProblem, out Listener? listener)
    {
        listener = null;
        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (https && !allowHttps)
        {
            return httpsProblem ?? "https:// is not served here; use http://";
        }

        if (!https && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return allowHttps ? $"must be an absolute http:// or https:// URL, {Example}" : $"must be an absolute http:// URL, {Example}";
        }

        var authority = url[(https ? "https://" : "http://").Length..];
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (authority[slash..] != "/")
            {
                return $"a listener URL has no path: give only scheme, address and port, {Example}";
            }

            authority = authority[..slash];
        }

        var colon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        var host = colon > 0 ? authority[..colon] : authority;
        var port = https ? 443 : 80; // Kestrel's defaults without a port
        if ((colon > 0 && !int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port)) || port > 65535)
        {
            return "the port must be between 0 and 65535, inclusive";
        }

        if (!IsBindable(host))
        {
            return $"the host must be an IP address, localhost, or * or + for every address, {Example}";
        }

        if (port == 0 && host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "Kestrel cannot pick a free port (0) for localhost, which is two addresses; use 127.0.0.1:0";
        }

        listener = new Listener(url, host.ToLowerInvariant(), port);
        return null;
    }

    private static bool IsBindable(string host) =>
        host is "*" or "+"
        || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (Ipv4Regex().IsMatch(host) && IPAddress.TryParse(host, out _))
        || (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);

    private static bool IsAnyAddress(string host) => host is "*" or "+" or "0.0.0.0" or "[::]";

    private static IEnumerable<IPAddress> Addresses(string host) => host == "localhost"
        ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
        : [IPAddress.Parse(host.Trim('[', ']'))];

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}\z")]
    private static partial Regex Ipv4Regex();
}
