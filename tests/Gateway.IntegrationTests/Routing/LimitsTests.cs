using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// <c>Gateway:Proxy:Limits</c> with real curl: at each limit a request passes, past it the gateway
/// answers as Kestrel does (413 body, 431 headers, 414 an HTTP/1.1 request line; on HTTP/2 the same
/// 413 and 431, and a reset stream for a too long <c>:path</c>); the admin listener is not bound by them.
/// </summary>
public sealed class LimitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task ProxyLimits_PastEachOne_KestrelsAnswer_AtItPasses_AdminNotBound()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await using var gateway = await GatewayProcess.StartAsync(DemoService.Services(DemoService.Member("web")), extraArgs:
        [
            "--Gateway:Proxy:Limits:MaxRequestBodySize=1000", "--Gateway:Proxy:Limits:MaxRequestHeadersTotalSize=2000",
            "--Gateway:Proxy:Limits:MaxRequestHeaderCount=20", "--Gateway:Proxy:Limits:MaxRequestLineSize=500",
        ]);
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?[0].Ready == true, "a ready pod");
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the pod routed");
        var url = $"http://127.0.0.1:{gateway.ProxyPort}";

        async Task<string> Answer(params string[] args)
        {
            var (code, output) = await ProtocolTests.RunAsync(curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", .. args]);
            return code == 0 ? output : $"curl exit {code}: {output}";
        }

        string Body(int bytes)
        {
            var path = Path.Combine(_dir, $"body-{bytes}");
            File.WriteAllText(path, new string('a', bytes));
            return "@" + path;
        }

        var headers = Enumerable.Range(1, 17).SelectMany(i => new[] { "-H", $"X-H{i}: v" }).ToArray(); // with curl's Host, User-Agent, Accept: 20
        var bigHeader = $"X-Big: {new string('b', 2100)}";

        // The body: by Content-Length, chunked, and on HTTP/2.
        Assert.Equal("200", await Answer("--data-binary", Body(1000), $"{url}/echo"));
        Assert.Equal("413", await Answer("--data-binary", Body(1001), $"{url}/echo"));
        Assert.Equal("413", await Answer("-H", "Transfer-Encoding: chunked", "--data-binary", Body(1001), $"{url}/echo"));
        Assert.Equal("413", await Answer("--http2-prior-knowledge", "--data-binary", Body(1001), $"{url}/echo"));

        // The headers: their total size and their count, both protocols.
        Assert.Equal("200", await Answer("-H", $"X-Big: {new string('b', 1900)}", $"{url}/"));
        Assert.Equal("431", await Answer("-H", bigHeader, $"{url}/"));
        Assert.Equal("431", await Answer("--http2-prior-knowledge", "-H", bigHeader, $"{url}/"));
        Assert.Equal("200", await Answer([.. headers, $"{url}/"]));
        Assert.Equal("431", await Answer([.. headers, "-H", "X-H18: v", $"{url}/"]));
        Assert.Equal("431", await Answer(["--http2-prior-knowledge", .. headers, "-H", "X-H18: v", $"{url}/"]));

        // The request line (HTTP/1.1), and HTTP/2's :path, which Kestrel holds to the same limit.
        Assert.Equal("200", await Answer($"{url}/?q={new string('c', 400)}"));
        Assert.Equal("414", await Answer($"{url}/?q={new string('c', 600)}"));
        var reset = await Answer("--http2-prior-knowledge", $"{url}/?q={new string('c', 600)}");
        Assert.True(reset.StartsWith("curl exit 92:", StringComparison.Ordinal) && reset.Contains("PROTOCOL_ERROR", StringComparison.Ordinal), reset); // curl's HTTP/2 stream error

        // The admin listener keeps Kestrel's defaults.
        Assert.Equal("200", await Answer("-H", bigHeader, $"{gateway.AdminUrl}readyz"));
    }
}
