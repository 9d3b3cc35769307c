using System.Net;

namespace Gateway.Admin;

/// <summary>Where the admin listener is bound, as far as who can reach it goes.</summary>
internal static class AdminBinding
{
    /// <summary>
    /// Whether every one of <paramref name="urls"/> (<c>;</c>-separated, as Kestrel takes them) binds
    /// only loopback: <c>localhost</c> or a loopback IP literal. A wildcard (<c>0.0.0.0</c>, <c>[::]</c>,
    /// <c>*</c>, <c>+</c>), another name (Kestrel binds every interface for it), another address or a
    /// Unix socket is not.
    /// </summary>
    public static bool IsLoopbackOnly(string urls)
    {
        var all = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return all.Length > 0 && all.All(IsLoopback);
    }

    /// <summary>Whether any of <paramref name="urls"/> is <c>https://</c>, so that the listener needs a certificate.</summary>
    public static bool UsesHttps(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    private static bool IsLoopback(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }

        return !address.IsUnixPipe && !address.IsNamedPipe
            && (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
    }
}
