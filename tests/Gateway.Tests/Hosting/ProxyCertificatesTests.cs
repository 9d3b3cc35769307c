using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tests.Specs;

namespace Gateway.Tests.Hosting;

/// <summary>
/// <c>Gateway:Proxy:Certificate(s)</c> read with the settings: PEM and PFX load, every unusable file
/// is one error naming its field, an expired certificate loads with a warning, and SNI picks the
/// certificate of an exact host, then of a one-label wildcard, then the default one.
/// </summary>
public sealed class ProxyCertificatesTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private static string Settings(string proxy) =>
        $$"""{ "Gateway": { "Proxy": { "Urls": "https://127.0.0.1:8443", {{proxy}} }, "Services": {} } }""";

    /// <summary>A self-signed certificate for <paramref name="subject"/>, written as name.crt and name.key.</summary>
    private X509Certificate2 WritePem(string name, string subject, DateTimeOffset? notAfter = null)
    {
        var certificate = Create(subject, notAfter);
        _files.Write(name + ".crt", certificate.ExportCertificatePem());
        _files.Write(name + ".key", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private static X509Certificate2 Create(string subject, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(1);
        return request.CreateSelfSigned(end.AddDays(-2), end);
    }

    [Fact]
    public void PemCertificateAndKeyServeTheHttpsUrl()
    {
        var written = WritePem("a", "a.example");

        var spec = _files.Load(Settings("""  "Certificate": { "Path": "a.crt", "KeyPath": "a.key" } """), out var errors);

        Assert.Empty(errors);
        Assert.Equal("https://127.0.0.1:8443", spec.ProxyUrls);
        Assert.Equal(written.Thumbprint, spec.ProxyCertificates!.Select(null).Thumbprint);
        Assert.True(spec.ProxyCertificates.Select("anything.example").HasPrivateKey);
        Assert.Equal([Path.Combine(_files.Directory, "a.crt"), Path.Combine(_files.Directory, "a.key")], spec.ProxyCertificates.Files);
        Assert.Empty(spec.ProxyCertificates.Warnings);
    }

    [Fact]
    public void PemWithTheKeyInTheSameFileLoads()
    {
        var certificate = Create("one.example");
        _files.Write("one.pem", certificate.ExportCertificatePem() + "\n" + certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var spec = _files.Load(Settings("""  "Certificate": { "Path": "one.pem" } """), out var errors);

        Assert.Empty(errors);
        Assert.Equal(certificate.Thumbprint, spec.ProxyCertificates!.Select(null).Thumbprint);
    }

    [Fact]
    public void PfxWithItsPasswordLoads()
    {
        var certificate = Create("pfx.example");
        File.WriteAllBytes(Path.Combine(_files.Directory, "site.pfx"), certificate.Export(X509ContentType.Pfx, "s3cret"));

        var spec = _files.Load(Settings("""  "Certificate": { "Path": "site.pfx", "Password": "s3cret" } """), out var errors);

        Assert.Empty(errors);
        Assert.Equal(certificate.Thumbprint, spec.ProxyCertificates!.Select(null).Thumbprint);
    }

    public static TheoryData<string, string> BadCertificates => new()
    {
        { """ "Certificate": { "Path": "missing.crt", "KeyPath": "a.key" } """, "Gateway:Proxy:Certificate:Path: Invalid value: \"missing.crt\": no such file" },
        { """ "Certificate": { "Path": "a.crt", "KeyPath": "missing.key" } """, "Gateway:Proxy:Certificate:KeyPath: Invalid value: \"missing.key\": no such file" },
        { """ "Certificate": { "Path": "a.crt", "KeyPath": "b.key" } """, "Gateway:Proxy:Certificate:KeyPath: Invalid value: \"b.key\": is not the private key of the certificate in Path: give the key the certificate was made for" },
        { """ "Certificate": { "Path": "a.key", "KeyPath": "a.key" } """, "Gateway:Proxy:Certificate:Path: Invalid value: \"a.key\": holds no PEM certificate (-----BEGIN CERTIFICATE-----)" },
        { """ "Certificate": { "Path": "a.crt", "KeyPath": "a.crt" } """, "Gateway:Proxy:Certificate:KeyPath: Invalid value: \"a.crt\": holds no PEM private key the gateway can read: " },
        { """ "Certificate": { "Path": "site.pfx", "Password": "wrong" } """, "Gateway:Proxy:Certificate:Path: Invalid value: \"site.pfx\": cannot be read as a PFX with this Password: " },
        { """ "Certificate": { "Path": "a.crt", "KeyPath": "a.key", "Password": "x" } """, "Gateway:Proxy:Certificate:Password: Invalid value: \"(hidden)\": is for a PFX file, which holds its key; a PEM certificate with KeyPath has no password here: drop one of the two" },
        { """ "Certificate": { "KeyPath": "a.key" } """, "Gateway:Proxy:Certificate:Path: Required value: the certificate file: PEM with KeyPath, or a PFX with Password" },
        { """ "Certificate": { "Path": "a.crt", "KeyPath": "a.key", "Key": "a.key" } """, "Gateway:Proxy:Certificate:Key: Invalid value: \"Key\": " },
        { """ "Certificates": { "Path": "b.crt", "KeyPath": "b.key" } """, "Gateway:Proxy:Certificates: Invalid value: must be a list of certificates, [ { \"Path\": ..., \"KeyPath\": ..., \"Hosts\": [...] } ], found the key \"KeyPath\"" },
        { """ "Certificates": [ { "Path": "b.crt", "KeyPath": "b.key" } ] """, "Gateway:Proxy:Certificates:0:Hosts: Required value: the SNI names this certificate is for" },
        { """ "Certificates": [ { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "a.*.example" ] } ] """, "Gateway:Proxy:Certificates:0:Hosts:0: Invalid value: \"a.*.example\": a wildcard is only a leading '*.', e.g. \"*.example.com\"" },
        { """ "Certificates": [ { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "b.example:8443" ] } ] """, "Gateway:Proxy:Certificates:0:Hosts:0: Invalid value: \"b.example:8443\": must be a host name, e.g. \"a.example\" or \"*.b.example\", without a port" },
        { """ "Certificates": [ { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "127.0.0.1" ] } ] """, "Gateway:Proxy:Certificates:0:Hosts:0: Invalid value: \"127.0.0.1\": an IP address is not sent in SNI; a client connecting by address gets Gateway:Proxy:Certificate" },
        {
            """ "Certificates": [ { "Path": "a.crt", "KeyPath": "a.key", "Hosts": [ "x.example" ] }, { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "X.example" ] } ] """,
            "Gateway:Proxy:Certificates:1:Hosts:0: Duplicate value: \"X.example\": Gateway:Proxy:Certificates:0 is already for this host; name each host in one certificate"
        },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public void AnUnusableCertificateIsOneErrorNamingItsField(string proxy, string expected)
    {
        WritePem("a", "a.example");
        WritePem("b", "b.example");
        File.WriteAllBytes(Path.Combine(_files.Directory, "site.pfx"), Create("pfx.example").Export(X509ContentType.Pfx, "s3cret"));

        var spec = _files.Load(Settings(proxy), out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith(expected, error);
        Assert.DoesNotContain('\n', error);
        Assert.Null(spec.ProxyCertificates);
    }

    [Fact]
    public void AnHttpsProxyUrlWithoutACertificateSaysWhichFieldToSet()
    {
        _files.Load(Settings(""" "Certificates": [] """), out var errors);

        Assert.Equal(
            "Gateway:Proxy:Urls: Invalid value: \"https://127.0.0.1:8443\": an https:// proxy URL needs a certificate: set Gateway:Proxy:Certificate (Path and KeyPath for PEM, or Path and Password for a PFX)",
            Assert.Single(errors));
    }

    [Fact]
    public void AnExpiredCertificateLoadsAndSaysSo()
    {
        WritePem("old", "old.example", notAfter: new DateTimeOffset(2020, 1, 2, 0, 0, 0, TimeSpan.Zero));

        var spec = _files.Load(Settings("""  "Certificate": { "Path": "old.crt", "KeyPath": "old.key" } """), out var errors);

        Assert.Empty(errors);
        Assert.Equal("Gateway:Proxy:Certificate:Path: the certificate CN=old.example expired on 2020-01-02 00:00:00Z; it is served, but clients will refuse it", Assert.Single(spec.ProxyCertificates!.Warnings));
    }

    [Theory]
    [InlineData(null, "default")]
    [InlineData("", "default")]
    [InlineData("a.example", "a")]
    [InlineData("A.Example.", "a")]
    [InlineData("x.b.example", "b")]
    [InlineData("b.example", "default")]
    [InlineData("y.x.b.example", "default")]
    [InlineData("exact.b.example", "a")]
    [InlineData("other.example", "default")]
    public void SniChoosesAnExactHostThenAOneLabelWildcardThenTheDefault(string? serverName, string expected)
    {
        var certificates = new Dictionary<string, X509Certificate2>
        {
            ["default"] = WritePem("default", "default.example"),
            ["a"] = WritePem("a", "a.example"),
            ["b"] = WritePem("b", "b.example"),
        };
        var spec = _files.Load(Settings("""
            "Certificate": { "Path": "default.crt", "KeyPath": "default.key" },
            "Certificates": [
              { "Path": "a.crt", "KeyPath": "a.key", "Hosts": [ "a.example", "exact.b.example" ] },
              { "Path": "b.crt", "KeyPath": "b.key", "Hosts": "*.b.example" } ]
            """), out var errors);

        Assert.Empty(errors);
        Assert.Equal(certificates[expected].Thumbprint, spec.ProxyCertificates!.Select(serverName).Thumbprint);
    }

    [Fact]
    public void WithoutADefaultCertificateTheFirstOfTheListServesClientsWithoutSni()
    {
        var first = WritePem("a", "a.example");
        WritePem("b", "b.example");

        var spec = _files.Load(Settings("""
            "Certificates": [ { "Path": "a.crt", "KeyPath": "a.key", "Hosts": [ "a.example" ] }, { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "b.example" ] } ]
            """), out var errors);

        Assert.Empty(errors);
        Assert.Equal(first.Thumbprint, spec.ProxyCertificates!.Select(null).Thumbprint);
    }
}

/// <summary>The store serves what the catalog last applied, swapped whole; a spec without certificates keeps the served ones.</summary>
public sealed class ProxyCertificateStoreTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private Gateway.Specs.GatewaySpec LoadWith(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _files.Write("tls.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        var spec = _files.Load("""{ "Gateway": { "Proxy": { "Urls": "https://127.0.0.1:8443", "Certificate": { "Path": "tls.pem" } }, "Services": {} } }""", out var errors);
        Assert.Empty(errors);
        return spec;
    }

    [Fact]
    public void AnAppliedSpecSwapsTheCertificatesForTheNextHandshake()
    {
        var first = LoadWith("first.example");
        var catalog = new Gateway.Specs.ServiceCatalog(first);
        var store = new Gateway.Hosting.ProxyCertificateStore(first.ProxyCertificates);
        store.Follow(catalog, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal("CN=first.example", store.Select("any.example")!.Subject);

        catalog.Update(LoadWith("second.example"));
        Assert.Equal("CN=second.example", store.Select("any.example")!.Subject);

        var served = store.Current;
        catalog.Update(first with { ProxyCertificates = null });
        Assert.Same(served, store.Current);
    }

    [Fact]
    public void TheSameFilesReadAgainKeepTheServedSet()
    {
        var spec = LoadWith("same.example");
        var again = _files.Load(File.ReadAllText(Path.Combine(_files.Directory, "appsettings.json")), out _);
        var catalog = new Gateway.Specs.ServiceCatalog(spec);
        var store = new Gateway.Hosting.ProxyCertificateStore(spec.ProxyCertificates);
        store.Follow(catalog, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        catalog.Update(again);

        Assert.Equal(spec.ProxyCertificates!.Identity, again.ProxyCertificates!.Identity);
        Assert.Same(spec.ProxyCertificates, store.Current);
    }
}
