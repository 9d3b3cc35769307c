using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// TLS on the proxy listener with real clients and certificates made by openssl: curl over
/// HTTP/1.1 and over HTTP/2 chosen by ALPN, SNI choosing a host's certificate (openssl s_client
/// shows which), a certificate renewed on disk while curl keeps connecting (no failed handshake,
/// an open connection kept, the new one served after), a bad edit refused with the served one
/// kept, and a bad certificate at start exiting 2 with the field named.
/// </summary>
public sealed class TlsProxyTests : IDisposable
{
    private const string DefaultCertificate = """ "Certificate": { "Path": "default.crt", "KeyPath": "default.key" } """;

    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>A self-signed certificate and key, <paramref name="name"/>.crt and .key, for CN <paramref name="subject"/> and these subject alternative names.</summary>
    private async Task MakeCertificateAsync(string name, string subject, string names = "IP:127.0.0.1", string? directory = null)
    {
        directory ??= _directory;
        var (code, output) = await RunAsync(RequiredTool.Find("openssl", "openssl"),
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", $"/CN={subject}", "-addext", $"subjectAltName={names}",
            "-keyout", Path.Combine(directory, name + ".key"), "-out", Path.Combine(directory, name + ".crt"));
        Assert.True(code == 0, output);
    }

    private Task<GatewayProcess> StartAsync(string services, string proxyTls) =>
        GatewayProcess.StartAsync(services, settingsDirectory: _directory, proxyTls: proxyTls);

    /// <summary>The subject of the certificate the proxy serves for <paramref name="serverName"/> (null: no SNI), as openssl s_client prints it.</summary>
    private static async Task<string> ServedSubjectAsync(int port, string? serverName)
    {
        var (_, output) = await RunAsync(RequiredTool.Find("openssl", "openssl"),
            ["s_client", "-connect", $"127.0.0.1:{port}", .. serverName is null ? ["-noservername"] : (string[])["-servername", serverName]], stdin: "");
        return output.Split('\n').FirstOrDefault(l => l.StartsWith("subject=", StringComparison.Ordinal))?.Replace(" ", "", StringComparison.Ordinal) ?? output;
    }

    [SkippableFact]
    public async Task Https_Http11AndAlpnH2_ProxiedToAPod()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await MakeCertificateAsync("default", "proxy.test");
        await using var gateway = await StartAsync(DemoService.Services(DemoService.Member("web")), DefaultCertificate);
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "the web pod ready");
        var url = $"https://127.0.0.1:{gateway.ProxyPort}/";

        var (code1, h1) = await RunAsync(curl, "-sS", "--cacert", PathOf("default.crt"), "--http1.1", "-w", "\n%{http_version} %{http_code}", url);
        Assert.True(code1 == 0, h1);
        Assert.StartsWith("hello from web-", h1, StringComparison.Ordinal);
        Assert.EndsWith("\n1.1 200", h1, StringComparison.Ordinal);

        var (code2, h2) = await RunAsync(curl, "-sS", "--cacert", PathOf("default.crt"), "--http2", "-w", "\n%{http_version} %{http_code}", url);
        Assert.True(code2 == 0, h2);
        Assert.StartsWith("hello from web-", h2, StringComparison.Ordinal);
        Assert.EndsWith("\n2 200", h2, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sni_ChoosesTheCertificateOfTheHost_TheDefaultWithout()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await MakeCertificateAsync("default", "proxy.test");
        await MakeCertificateAsync("a", "a.test", "DNS:a.test");
        await MakeCertificateAsync("b", "b.test", "DNS:*.b.test");
        await using var gateway = await StartAsync("{}", DefaultCertificate + """
            , "Certificates": [
              { "Path": "a.crt", "KeyPath": "a.key", "Hosts": [ "a.test" ] },
              { "Path": "b.crt", "KeyPath": "b.key", "Hosts": [ "*.b.test" ] } ]
            """);
        var port = gateway.ProxyPort;

        Assert.Equal("subject=CN=a.test", await ServedSubjectAsync(port, "a.test"));
        Assert.Equal("subject=CN=b.test", await ServedSubjectAsync(port, "x.b.test"));
        Assert.Equal("subject=CN=proxy.test", await ServedSubjectAsync(port, "b.test"));
        Assert.Equal("subject=CN=proxy.test", await ServedSubjectAsync(port, null));

        // curl verifies each name against the certificate it got: only the right one passes.
        var (code, output) = await RunAsync(curl, "-sS", "-o", "/dev/null", "--cacert", PathOf("b.crt"), "--resolve", $"x.b.test:{port}:127.0.0.1", $"https://x.b.test:{port}/");
        Assert.True(code == 0, output);
        var (codeA, outputA) = await RunAsync(curl, "-sS", "-o", "/dev/null", "--cacert", PathOf("a.crt"), "--resolve", $"a.test:{port}:127.0.0.1", $"https://a.test:{port}/");
        Assert.True(codeA == 0, outputA);
    }

    [SkippableFact]
    public async Task CertificateRenewedOnDisk_ServedWithoutAFailedHandshakeOrADroppedConnection()
    {
        var curl = RequiredTool.Find("curl", "curl");
        var staging = Directory.CreateDirectory(PathOf("new")).FullName;
        await MakeCertificateAsync("default", "old.test");
        await MakeCertificateAsync("default", "new.test", directory: staging);
        await File.WriteAllTextAsync(PathOf("both.crt"), await File.ReadAllTextAsync(PathOf("default.crt")) + await File.ReadAllTextAsync(Path.Combine(staging, "default.crt")));
        await using var gateway = await StartAsync("{}", DefaultCertificate);
        var url = $"https://127.0.0.1:{gateway.ProxyPort}/";

        // One connection opened before the renewal, kept open through it.
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(PathOf("both.crt"));
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => trusted.Any(t => t.Thumbprint == new X509Certificate2(certificate!).Thumbprint) },
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var kept = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        await kept.GetAsync(url);

        // A client connecting anew in a loop, each time a handshake verified against both certificates.
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var handshakes = 0;
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (code, output) = await RunAsync(curl, "-sS", "-o", "/dev/null", "--cacert", PathOf("both.crt"), url);
                Interlocked.Increment(ref handshakes);
                if (code != 0)
                {
                    lock (failures)
                    {
                        failures.Add($"curl exit {code}: {output}");
                    }
                }
            }
        });

        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref handshakes) >= 5), "handshakes with the old certificate");
        Assert.Equal("subject=CN=old.test", await ServedSubjectAsync(gateway.ProxyPort, null));

        // Renewed as a tool does it: each file replaced by a rename, the certificate first (the gateway may see it with the old key for a moment).
        File.Move(Path.Combine(staging, "default.crt"), PathOf("default.crt"), overwrite: true);
        File.Move(Path.Combine(staging, "default.key"), PathOf("default.key"), overwrite: true);
        await Poll.UntilAsync(async () => await ServedSubjectAsync(gateway.ProxyPort, null) == "subject=CN=new.test", "the renewed certificate served\n" + gateway.Output);
        var renewedAt = Volatile.Read(ref handshakes);
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref handshakes) >= renewedAt + 5), "handshakes with the new certificate");
        await stop.CancelAsync();
        await loop;

        Assert.Empty(failures);
        Assert.True((await kept.GetAsync(url)).Version.Major >= 1);
        Assert.Equal(1, connections);

        // A bad edit (a key that is not the certificate's) is refused: the renewed certificate stays.
        await MakeCertificateAsync("other", "other.test");
        File.Copy(PathOf("other.key"), PathOf("default.key"), overwrite: true);
        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e.Reason == "ConfigRejected" && e.Message.Contains("Gateway:Proxy:Certificate:KeyPath", StringComparison.Ordinal)),
            "a ConfigRejected event naming the key\n" + gateway.Output);
        Assert.Equal("subject=CN=new.test", await ServedSubjectAsync(gateway.ProxyPort, null));
        var (after, afterOutput) = await RunAsync(curl, "-sS", "-o", "/dev/null", "--cacert", PathOf("both.crt"), url);
        Assert.True(after == 0, afterOutput);
    }

    [Fact]
    public async Task MismatchedKeyAtStart_ExitsTwoNamingTheField()
    {
        await MakeCertificateAsync("default", "proxy.test");
        await MakeCertificateAsync("other", "other.test");
        var settings = PathOf("appsettings.json");
        await File.WriteAllTextAsync(settings, GatewayProcess.Settings("{}", FreePort.Get(), FreePort.Get(),
            proxyTls: """ "Certificate": { "Path": "default.crt", "KeyPath": "other.key" } """));

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("--config", settings);

        Assert.Equal(2, exitCode);
        var errors = output.Split('\n').Where(l => l.Contains("Gateway:Proxy", StringComparison.Ordinal)).ToList();
        Assert.Equal("  Gateway:Proxy:Certificate:KeyPath: Invalid value: \"other.key\": is not the private key of the certificate in Path: give the key the certificate was made for", Assert.Single(errors).TrimEnd('\r'));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, string? stdin = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            process.StandardInput.Close(); // s_client ends its session at end of input
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args) => RunAsync(program, args, null);
}
