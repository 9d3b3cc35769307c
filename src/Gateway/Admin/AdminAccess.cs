using System.Security.Cryptography.X509Certificates;
using Gateway.Specs;

namespace Gateway.Admin;

/// <summary>
/// Who may reach the admin API, ready before the gateway starts: its token (read from
/// <c>Gateway:Admin:TokenFile</c>, or generated in the state folder), the kubeconfig written for it,
/// whether the listener is bound only to loopback, and the host names it answers to.
/// </summary>
internal sealed record AdminAccess(string Token, string TokenFile, string Kubeconfig, bool LoopbackOnly, IReadOnlyList<string> Hosts)
{
    /// <summary>The listener's certificate when an admin URL is <c>https://</c>; null for http.</summary>
    public X509Certificate2? Certificate { get; init; }

    public const string DefaultTokenFileName = "admin-token";

    /// <summary>
    /// Reads or generates the token and writes the kubeconfig; null with a one-line
    /// <paramref name="error"/> (field path and fix) when the gateway must not start. A configured
    /// token file is read, never written: missing, empty or unreadable, it is an error, wherever the
    /// listener is bound.
    /// </summary>
    public static AdminAccess? Prepare(GatewaySpec spec, string settingsPath, out string? error, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var settings = spec.AdminAccess;
        var tokenFile = settings.TokenFile ?? Path.Combine(spec.StateDirectory, DefaultTokenFileName);
        var token = settings.TokenFile is null
            ? AdminToken.ReadOrCreate(tokenFile, "Gateway:StateDirectory", out error)
            : AdminToken.Read(tokenFile, "Gateway:Admin:TokenFile", out error);
        if (token is null)
        {
            return null;
        }

        X509Certificate2? certificate = null;
        if (AdminBinding.UsesHttps(spec.AdminUrls)
            && (certificate = AdminCertificate.LoadOrCreate(Path.Combine(spec.StateDirectory, AdminCertificate.FileName), settings.Hosts, (time ?? TimeProvider.System).GetUtcNow(), out error)) is null)
        {
            return null;
        }

        string server;
        try
        {
            server = AdminKubeconfig.Server(spec.AdminUrls);
        }
        catch (FormatException e)
        {
            error = $"Gateway:Admin:Urls: Invalid value: \"{spec.AdminUrls}\": {e.Message}";
            return null;
        }

        // Beside the settings file by default; in the state folder when that folder is read-only.
        string[] candidates = settings.Kubeconfig is { } configured ? [configured]
            : [Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settingsPath))!, AdminKubeconfig.FileName), Path.Combine(spec.StateDirectory, AdminKubeconfig.FileName)];
        var problems = new List<string>();
        foreach (var path in candidates)
        {
            try
            {
                AdminToken.CreateOwnerOnlyFolder(Path.GetDirectoryName(path)!);
                AdminKubeconfig.Write(path, server, token, certificate);
                return new AdminAccess(token, tokenFile, path, AdminBinding.IsLoopbackOnly(spec.AdminUrls), settings.Hosts) { Certificate = certificate };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(e.Message);
            }
        }

        error = $"Gateway:Admin:Kubeconfig: Invalid value: \"{candidates[0]}\": cannot write the admin kubeconfig ({string.Join("; ", problems)}): set it to a writable file";
        return null;
    }
}
