using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Specs;

namespace Gateway.Routing;

/// <summary>
/// A service's <c>BackendTls</c> as its cluster's metadata carries it to the forwarder's client,
/// and the handler's TLS settings made from it: the CA file's certificates as the only trusted roots,
/// and the pods' certificate checked for <c>ServerName</c> instead of the pod's address.
/// <c>InsecureSkipVerify</c> is YARP's own <c>DangerousAcceptAnyServerCertificate</c>.
/// </summary>
internal static class BackendTlsMetadata
{
    public const string CaFileKey = "Gateway.BackendTls.CaFile";
    public const string CaFingerprintKey = "Gateway.BackendTls.CaFingerprint";
    public const string ServerNameKey = "Gateway.BackendTls.ServerName";

    public static void AddTo(Dictionary<string, string> metadata, BackendTlsSpec tls)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.CaFile is { } file)
        {
            metadata[CaFileKey] = file;
            metadata[CaFingerprintKey] = tls.CaFingerprint;
        }

        if (tls.ServerName is { } name)
        {
            metadata[ServerNameKey] = name;
        }
    }

    /// <summary>Whether two metadata give the same TLS settings (else a new client is made).</summary>
    public static bool Same(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        Value(a, CaFileKey) == Value(b, CaFileKey) && Value(a, CaFingerprintKey) == Value(b, CaFingerprintKey) && Value(a, ServerNameKey) == Value(b, ServerNameKey);

    /// <summary>The handler's TLS settings; a CA file that can no longer be read trusts nothing (the reload that changed it is refused anyway).</summary>
    public static void Configure(SocketsHttpHandler handler, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Value(metadata, CaFileKey) is { } file)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(BackendTlsSpec.ReadCertificates(file, out _) ?? []);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        if (Value(metadata, ServerNameKey) is { } name)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                && certificate is X509Certificate2 presented && presented.MatchesHostname(name);
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;
}
