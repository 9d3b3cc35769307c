using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Admin;

namespace Gateway.Tests.Admin;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AdminCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-cert-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Path1 => Path.Combine(_folder, "state", AdminCertificate.FileName);

    [Fact]
    public void Create_NamesLoopbackAndTheConfiguredHosts_ForServerAuth()
    {
        using var certificate = AdminCertificate.Create(["gateway.store.svc", "10.0.0.7"], Now);

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost", "gateway.store.svc"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("10.0.0.7")], names.EnumerateIPAddresses());
        Assert.Contains(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.True(certificate.NotBefore < Now.UtcDateTime && certificate.NotAfter > Now.UtcDateTime.AddYears(4));
    }

    [Fact]
    public void LoadOrCreate_FirstStart_MakesOne0600FileWithKey_ThenKeepsIt()
    {
        using var first = AdminCertificate.LoadOrCreate(Path1, [], Now, out var error);
        using var second = AdminCertificate.LoadOrCreate(Path1, [], Now.AddDays(1), out _);

        Assert.Null(error);
        Assert.True(first!.HasPrivateKey);
        Assert.Equal(first.Thumbprint, second!.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path1));
    }

    [Fact]
    public void LoadOrCreate_Expired_MakesANewOne()
    {
        using var first = AdminCertificate.LoadOrCreate(Path1, [], Now, out _);

        using var later = AdminCertificate.LoadOrCreate(Path1, [], Now.AddYears(6), out _);

        Assert.NotEqual(first!.Thumbprint, later!.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_Garbage_IsAnErrorSayingToDeleteIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path1)!);
        File.WriteAllText(Path1, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        Assert.Null(AdminCertificate.LoadOrCreate(Path1, [], Now, out var error));
        Assert.StartsWith($"Gateway:StateDirectory: Invalid value: \"{Path.GetDirectoryName(Path1)}\": cannot read or make the admin certificate admin-tls.pem: ", error, StringComparison.Ordinal);
        Assert.EndsWith("; delete it to have a new one made", error, StringComparison.Ordinal);
    }
}
