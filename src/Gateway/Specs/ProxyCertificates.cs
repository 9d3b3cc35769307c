using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Specs;

/// <summary>
/// The proxy listener's certificates (<c>Gateway:Proxy:Certificate</c>, the default one, and
/// <c>Gateway:Proxy:Certificates</c>, each for the SNI names of its <c>Hosts</c>), read and checked
/// with the rest of the settings: an unreadable file, a key that is not the certificate's, a wrong
/// PFX password is a <see cref="FieldError"/> naming the field, so that a start exits 2 and a reload
/// is refused with the old certificates kept. An expired certificate loads, with a warning.
/// </summary>
internal static class ProxyCertificates
{
    public static readonly string[] CertificateKeys = ["Path", "KeyPath", "Password"];
    public static readonly string[] EntryKeys = ["Path", "KeyPath", "Password", "Hosts"];

    /// <summary>
    /// The certificates of <paramref name="proxy"/> (the <c>Gateway:Proxy</c> section), or null when
    /// it names none; each problem is an error in <c>proxy.Errors</c> and leaves the certificate out.
    /// </summary>
    public static ProxyCertificateSet? Load(SettingsSection proxy, string configDirectory, DateTimeOffset now)
    {
        var errors = proxy.Errors.Count;
        var loaded = new List<(string Path, X509Certificate2 Certificate, List<(string Path, string Host)> Hosts)>();
        var files = new List<string>();
        var warnings = new List<string>();
        X509Certificate2? fallback = null;
        if (proxy.Has("Certificate"))
        {
            var section = proxy.Object("Certificate", CertificateKeys);
            fallback = LoadOne(section, configDirectory, now, files, warnings);
        }

        var list = proxy.Object("Certificates", null);
        foreach (var entry in list.Children())
        {
            if (!int.TryParse(entry.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                proxy.Errors.Add(FieldError.InvalidOmitValue(list.Path, $"must be a list of certificates, [ {{ \"Path\": ..., \"KeyPath\": ..., \"Hosts\": [...] }} ], found the key {GoSyntax.Quote(entry.Key)}"));
                break;
            }

            entry.RefuseUnknownKeys(EntryKeys);
            var hosts = entry.Strings("Hosts");
            if (hosts.Count == 0)
            {
                proxy.Errors.Add(FieldError.Required(entry.PathOf("Hosts"), "the SNI names this certificate is for, e.g. [\"a.example\", \"*.b.example\"]; the certificate for clients without SNI is Gateway:Proxy:Certificate"));
            }

            foreach (var (path, host) in hosts)
            {
                if (HostProblem(host) is { } problem)
                {
                    proxy.Errors.Add(FieldError.Invalid(path, host, problem));
                }
            }

            if (LoadOne(entry, configDirectory, now, files, warnings) is { } certificate)
            {
                loaded.Add((entry.Path, certificate, hosts));
            }
        }

        if (fallback is null && loaded.Count == 0)
        {
            return null;
        }

        var exact = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        var owner = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (entryPath, certificate, hosts) in loaded)
        {
            foreach (var (path, host) in hosts)
            {
                var name = Normalize(host);
                if (owner.TryGetValue(name, out var earlier) && earlier != entryPath)
                {
                    proxy.Errors.Add(FieldError.Duplicate(path, host, $"{earlier} is already for this host; name each host in one certificate"));
                    continue;
                }

                owner[name] = entryPath;
                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcard[name[2..]] = certificate;
                }
                else
                {
                    exact[name] = certificate;
                }
            }
        }

        return proxy.Errors.Count > errors ? null : new ProxyCertificateSet(fallback ?? loaded[0].Certificate, exact, wildcard, files, warnings);
    }

    /// <summary>
    /// One certificate: PEM with <c>KeyPath</c> (or the key in the <c>Path</c> file itself), or a
    /// PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, or any file given a <c>Password</c>).
    /// </summary>
    private static X509Certificate2? LoadOne(SettingsSection section, string configDirectory, DateTimeOffset now, List<string> files, List<string> warnings)
    {
        var path = section.FilePath("Path", configDirectory);
        var keyPath = section.FilePath("KeyPath", configDirectory);
        var password = section.Scalar("Password");
        if (path is null)
        {
            section.Errors.Add(FieldError.Required(section.PathOf("Path"), "the certificate file: PEM with KeyPath, or a PFX with Password"));
            return null;
        }

        if (keyPath is not null && password is not null)
        {
            section.Errors.Add(FieldError.Invalid(section.PathOf("Password"), "(hidden)", "is for a PFX file, which holds its key; a PEM certificate with KeyPath has no password here: drop one of the two"));
            return null;
        }

        files.Add(path);
        if (keyPath is not null)
        {
            files.Add(keyPath);
        }

        var pfx = password is not null || path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
        X509Certificate2 certificate;
        try
        {
            certificate = pfx
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet)
                : X509Certificate2.CreateFromPemFile(path, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var (field, problem) = ReadProblem(e, path, keyPath, pfx);
            section.Errors.Add(FieldError.Invalid(section.PathOf(field), section.Scalar(field), problem));
            return null;
        }

        if (!certificate.HasPrivateKey)
        {
            section.Errors.Add(FieldError.Invalid(section.PathOf("Path"), section.Scalar("Path"), pfx
                ? "the PFX holds no private key; export it with its key"
                : "holds no private key: name the key file in KeyPath, or put the key in this file"));
            return null;
        }

        if (ValidityWarning(certificate, now) is { } warning)
        {
            warnings.Add($"{section.PathOf("Path")}: {warning}");
        }

        return certificate;
    }

    /// <summary>Which field a failed read is about (the certificate's file or the key's) and why, in words.</summary>
    private static (string Field, string Problem) ReadProblem(Exception e, string path, string? keyPath, bool pfx)
    {
        if (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (keyPath is not null && File.Exists(path) ? "KeyPath" : "Path", "no such file");
        }

        if (e is UnauthorizedAccessException)
        {
            return (keyPath is not null && CanRead(path) ? "KeyPath" : "Path", "cannot be read: permission denied");
        }

        if (pfx)
        {
            return ("Path", $"cannot be read as a PFX with this Password: {GoSyntax.OneLine(e.Message)}");
        }

        if (keyPath is null)
        {
            return ("Path", $"cannot be read as a PEM certificate with its private key in the same file (name the key file in KeyPath): {GoSyntax.OneLine(e.Message)}");
        }

        if (!IsCertificate(path))
        {
            return ("Path", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        return ("KeyPath", e is ArgumentException
            ? "is not the private key of the certificate in Path: give the key the certificate was made for"
            : $"holds no PEM private key the gateway can read: {GoSyntax.OneLine(e.Message)}");
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var _ = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsCertificate(string path)
    {
        try
        {
            using var _ = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Why a client would refuse the certificate today, or null: it is served all the same.</summary>
    public static string? ValidityWarning(X509Certificate2 certificate, DateTimeOffset now) =>
        certificate.NotAfter.ToUniversalTime() < now.UtcDateTime ? $"the certificate {certificate.Subject} expired on {certificate.NotAfter.ToUniversalTime():u}; it is served, but clients will refuse it"
        : certificate.NotBefore.ToUniversalTime() > now.UtcDateTime ? $"the certificate {certificate.Subject} is valid only from {certificate.NotBefore.ToUniversalTime():u}; it is served, but clients will refuse it until then"
        : null;

    /// <summary>A host name for SNI: a name or a leading <c>*.</c> wildcard; no port, no IP address (SNI carries names only).</summary>
    public static string? HostProblem(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (name.Length == 0 || name.Contains('*', StringComparison.Ordinal))
        {
            return "a wildcard is only a leading '*.', e.g. \"*.example.com\"";
        }

        if (System.Net.IPAddress.TryParse(name.Trim('[', ']'), out _))
        {
            return "an IP address is not sent in SNI; a client connecting by address gets Gateway:Proxy:Certificate";
        }

        return name.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-')
            ? null
            : "must be a host name, e.g. \"a.example\" or \"*.b.example\", without a port";
    }

    /// <summary>Lower case, without a trailing dot: how names compare in SNI.</summary>
    public static string Normalize(string host) => host.TrimEnd('.').ToLowerInvariant();
}

/// <summary>
/// One validated set of proxy certificates, never changed: a reload makes a new one and swaps it
/// whole (<see cref="ProxyCertificateStore"/>), so a handshake sees either the old set or the new.
/// </summary>
internal sealed class ProxyCertificateSet(
    X509Certificate2 fallback, IReadOnlyDictionary<string, X509Certificate2> exact, IReadOnlyDictionary<string, X509Certificate2> wildcard,
    IReadOnlyList<string> files, IReadOnlyList<string> warnings)
{
    /// <summary>The files the certificates came from, watched with the settings file.</summary>
    public IReadOnlyList<string> Files => files;

    /// <summary>What is served but will be refused by clients (an expired certificate).</summary>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>Which certificate serves which name: equal for two reads of unchanged files.</summary>
    public string Identity { get; } = string.Join(';', exact.Concat(wildcard.Select(w => KeyValuePair.Create("*." + w.Key, w.Value)))
        .OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value.Thumbprint}").Prepend(fallback.Thumbprint));

    /// <summary>
    /// The certificate for an SNI <paramref name="serverName"/>: an exact host first, then a
    /// wildcard covering one label (<c>*.b.example</c> is <c>x.b.example</c>, not <c>b.example</c>
    /// nor <c>y.x.b.example</c>, as RFC 6125 matches), else the default one.
    /// </summary>
    public X509Certificate2 Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return fallback;
        }

        var name = ProxyCertificates.Normalize(serverName);
        if (exact.TryGetValue(name, out var certificate))
        {
            return certificate;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && wildcard.TryGetValue(name[(dot + 1)..], out certificate) ? certificate : fallback;
    }
}
