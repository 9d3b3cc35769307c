using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// <c>Protocol: https</c>: the gateway speaks TLS to a backend (a Kestrel server in the test, its
/// certificate signed by a CA made here) and checks the certificate against <c>BackendTls:CaFile</c>
/// and <c>ServerName</c>; a certificate of another CA is refused with a 502.
/// </summary>
public sealed class HttpsBackendTests
{
    private static (X509Certificate2 Ca, X509Certificate2 Leaf) Certificates(string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name} test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=backend.test", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("backend.test");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(ca, now.AddDays(-1), now.AddDays(6), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(leafKey);
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
        return (ca, leaf);
    }

    private static async Task<WebApplication> StartBackendAsync(X509Certificate2 certificate, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/", (HttpContext context) => $"hello over {context.Request.Scheme}");
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task HttpsBackend_CheckedAgainstTheCaFile_AndRefusedWhenAnotherCaSignedIt()
    {
        var (ca, leaf) = Certificates("good");
        var (otherCa, otherLeaf) = Certificates("other");
        using (ca)
        using (leaf)
        using (otherCa)
        using (otherLeaf)
        {
            var (port, otherPort) = (FreePort.Get(), FreePort.Get());
            await using var backend = await StartBackendAsync(leaf, port);
            await using var otherBackend = await StartBackendAsync(otherLeaf, otherPort);
            var directory = Directory.CreateTempSubdirectory("gateway-https-").FullName;
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
            var tls = """ "Protocol": "https", "BackendTls": { "CaFile": "ca.pem", "ServerName": "backend.test" } """;
            var services = $$"""
                {
                  "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{port}}" ], {{tls}} },
                  "other": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{otherPort}}" ], "Route": { "Path": "/other" }, {{tls}} }
                }
                """;
            await using var gateway = await GatewayProcess.StartAsync(services, settingsDirectory: directory);

            Assert.Equal("hello over https", await gateway.Proxy.GetStringAsync("/"));
            using var refused = await gateway.Proxy.GetAsync("/other");
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }
    }
}
