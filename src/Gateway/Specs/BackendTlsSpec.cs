using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Specs;

/// <summary>
/// <c>BackendTls</c> of a service whose <c>Protocol</c> is <c>https</c>: how the gateway checks the
/// pods' certificates. <see cref="CaFile"/> (PEM, one or more certificates) replaces the system's
/// trusted roots for this service; <see cref="ServerName"/> is the name the certificate must carry
/// and the SNI sent (default: the pod's address); <see cref="InsecureSkipVerify"/> accepts any
/// certificate (tests only). Checked at start and on reload: an unreadable CA file refuses the edit.
/// </summary>
public sealed record BackendTlsSpec(string? CaFile, bool InsecureSkipVerify, string? ServerName)
{
    public static readonly BackendTlsSpec Default = new(null, false, null);

    public static readonly string[] Keys = ["CaFile", "InsecureSkipVerify", "ServerName"];

    /// <summary>A fingerprint of <see cref="CaFile"/>'s certificates when read: a changed file makes a new client.</summary>
    public string CaFingerprint { get; init; } = "";

    /// <summary>The certificates of a PEM file, or the reason there are none.</summary>
    public static X509Certificate2Collection? ReadCertificates(string file, out string? problem)
    {
        problem = null;
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            problem = e is FileNotFoundException or DirectoryNotFoundException
                ? "the file does not exist: name a PEM file of the CA certificates that signed the pods' certificates"
                : $"cannot be read as PEM certificates: {GoSyntax.OneLine(e.Message)}";
            return null;
        }

        if (certificates.Count == 0)
        {
            problem = "holds no PEM certificate (-----BEGIN CERTIFICATE-----): name the CA certificates that signed the pods' certificates";
            return null;
        }

        return certificates;
    }

    internal static BackendTlsSpec Load(SettingsSection service, string configDirectory, BackendProtocol? protocol)
    {
        if (!service.Has("BackendTls"))
        {
            return Default;
        }

        var tls = service.Object("BackendTls", Keys);
        if (protocol != BackendProtocol.Https)
        {
            service.Errors.Add(FieldError.Invalid(tls.Path, "", "BackendTls is for Protocol: https; set \"Protocol\": \"https\" or remove BackendTls"));
        }

        var insecure = tls.Boolean("InsecureSkipVerify") ?? false;
        var serverName = tls.Scalar("ServerName");
        if (serverName is { Length: > 0 } && (serverName.Contains(':', StringComparison.Ordinal) || RouteValidator.HostProblems(serverName).Count > 0 || serverName.Contains('*', StringComparison.Ordinal)))
        {
            service.Errors.Add(FieldError.Invalid(tls.PathOf("ServerName"), serverName, "must be a host name, e.g. \"web.internal\", the name the pods' certificate carries"));
        }

        var caFile = tls.FilePath("CaFile", configDirectory);
        var fingerprint = "";
        if (caFile is not null)
        {
            if (insecure)
            {
                service.Errors.Add(FieldError.Invalid(tls.PathOf("InsecureSkipVerify"), "true", "a CaFile checks the pods' certificates, InsecureSkipVerify accepts any: set one of them"));
            }

            if (ReadCertificates(caFile, out var problem) is { } certificates)
            {
                fingerprint = string.Join(",", certificates.Select(c => c.Thumbprint));
                foreach (var c in certificates)
                {
                    c.Dispose();
                }
            }
            else
            {
                service.Errors.Add(FieldError.Invalid(tls.PathOf("CaFile"), caFile, problem!));
            }
        }

        return new BackendTlsSpec(caFile, insecure, string.IsNullOrEmpty(serverName) ? null : serverName) { CaFingerprint = fingerprint };
    }
}
