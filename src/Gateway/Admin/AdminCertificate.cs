using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Admin;

/// <summary>
/// The admin listener's own certificate for an <c>https://</c> admin URL: self-signed, made at
/// first start in the state folder (certificate and key in one 0600 file), for <c>localhost</c>,
/// the loopback addresses and the names of <c>Gateway:Admin:Hosts</c>. The kubeconfig carries it as
/// the cluster's certificate authority, so kubectl verifies the gateway and sends it the token
/// (kubectl sends no credentials to an <c>http://</c> server).
/// </summary>
internal static class AdminCertificate
{
    public const string FileName = "admin-tls.pem";

    private static readonly TimeSpan Validity = TimeSpan.FromDays(5 * 365);

    public static X509Certificate2 Create(IReadOnlyList<string> hosts, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gateway-admin", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));
    }

    /// <summary>
    /// The certificate in <paramref name="path"/>, made first when the file is missing or its
    /// certificate has expired; null with <paramref name="error"/> when it cannot be read or written.
    /// </summary>
    public static X509Certificate2? LoadOrCreate(string path, IReadOnlyList<string> hosts, DateTimeOffset now, out string? error)
    {
        error = null;
        try
        {
            if (File.Exists(path) && X509Certificate2.CreateFromPemFile(path, path) is var existing && existing.NotAfter > now)
            {
                return existing;
            }

            using var created = Create(hosts, now);
            AdminToken.CreateOwnerOnlyFolder(Path.GetDirectoryName(path)!);
            AdminFiles.Replace(path, created.ExportCertificatePem() + "\n" + created.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
            return X509Certificate2.CreateFromPemFile(path, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = $"Gateway:StateDirectory: Invalid value: \"{Path.GetDirectoryName(path)}\": cannot read or make the admin certificate {FileName}: {e.Message}; delete it to have a new one made";
            return null;
        }
    }
}
