using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// Gateway API HTTPRoutes through a real gateway to real demo backends (Static services, which
/// answer "/" with their name and echo a request at /echo): each match kind and its precedence,
/// each filter kind, and a 90/10 split counted over 1,000 requests.
/// </summary>
public sealed class HttpRouteTests
{
    private static readonly string[] Names = ["a", "b", "c", "d"];

    private static string Static(string name, DemoBackendProcess backend) =>
        $$"""  "{{name}}": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ] }""";

    /// <summary>A gateway and the demo backends behind it, stopped together.</summary>
    private sealed record Routed(GatewayProcess Gateway, DemoBackendProcess[] Backends) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            foreach (var backend in Backends)
            {
                backend.Dispose();
            }
        }
    }

    /// <summary>A gateway whose services a, b, c, d are four demo backends, routed by <paramref name="routeYaml"/> (Gateway:Routes).</summary>
    private static async Task<Routed> StartAsync(string routeYaml)
    {
        var backends = await Task.WhenAll(Names.Select(name => DemoBackendProcess.StartAsync(name)));
        var directory = Directory.CreateTempSubdirectory("gateway-routes-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "routes.yaml"), routeYaml);
        var services = "{ " + string.Join(", ", backends.Select((b, i) => Static(((char)('a' + i)).ToString(), b))) + " }";
        var gateway = await GatewayProcess.StartAsync(services, settingsDirectory: directory, gatewayJson: "\"Routes\": [ \"routes.yaml\" ]");
        return new Routed(gateway, backends);
    }

    private static async Task<string> AnswerAsync(GatewayProcess gateway, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await gateway.Proxy.SendAsync(request);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        return response.IsSuccessStatusCode ? body.Replace("hello from ", "", StringComparison.Ordinal) : $"{(int)response.StatusCode}";
    }

    // The demo backends answer their name at "/" only: each rule sends its requests there.
    private const string Matches = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: matches }
        spec:
          parentRefs: [{ name: gateway }]
          rules:
          - matches: [{ path: { type: Exact, value: /exact } }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: a, port: 80 }]
          - matches: [{ path: { type: PathPrefix, value: /api } }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: b }]
          - matches: [{ path: { type: PathPrefix, value: /api/v2 } }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: c }]
          - matches: [{ path: { type: RegularExpression, value: "/re/[0-9]+" } }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: d }]
          - matches: [{ path: { type: PathPrefix, value: /api }, headers: [{ name: x-canary, value: "yes" }] }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: c }]
          - matches: [{ path: { type: PathPrefix, value: /api }, method: POST }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /echo } } }]
            backendRefs: [{ name: d }]
          - matches: [{ path: { type: PathPrefix, value: /api }, queryParams: [{ name: v, value: "2" }] }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: a }]
          - matches: [{ path: { value: /h }, headers: [{ type: RegularExpression, name: x-user, value: "adm.*" }] }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: d }]
          - matches: [{ path: { value: /q }, queryParams: [{ type: RegularExpression, name: id, value: "[a-f]+" }] }]
            filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } } }]
            backendRefs: [{ name: a }]
        """;

    [Fact]
    public async Task EachMatchKind_RoutesAsTheGatewayApiOrdersThem()
    {
        await using var routed = await StartAsync(Matches);
        var gateway = routed.Gateway;
        var get = HttpMethod.Get;
        Assert.Equal("a", await AnswerAsync(gateway, get, "/exact"));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/exact/more"));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/EXACT"));
        Assert.Equal("b", await AnswerAsync(gateway, get, "/api"));
        Assert.Equal("b", await AnswerAsync(gateway, get, "/api/v1/x"));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/apis"));
        Assert.Equal("c", await AnswerAsync(gateway, get, "/api/v2/x"));
        Assert.Equal("d", await AnswerAsync(gateway, get, "/re/123"));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/re/12a"));

        // On /api: the method beats header matches, which beat query matches.
        Assert.Equal("c", await AnswerAsync(gateway, get, "/api/x", ("x-canary", "yes")));
        Assert.Equal("b", await AnswerAsync(gateway, get, "/api/x", ("x-canary", "YES")));
        Assert.StartsWith("POST /echo\n", await AnswerAsync(gateway, HttpMethod.Post, "/api/x", ("x-canary", "yes")), StringComparison.Ordinal);
        Assert.Equal("a", await AnswerAsync(gateway, get, "/api/x?v=2"));
        Assert.Equal("c", await AnswerAsync(gateway, get, "/api/x?v=2", ("x-canary", "yes")));

        Assert.Equal("d", await AnswerAsync(gateway, get, "/h", ("x-user", "admin")));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/h", ("x-user", "guest")));
        Assert.Equal("a", await AnswerAsync(gateway, get, "/q?id=beef"));
        Assert.Equal("404", await AnswerAsync(gateway, get, "/q?id=beefy"));
    }

    private const string Filters = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: filters }
        spec:
          rules:
          - matches: [{ path: { value: /reqh } }]
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                set: [{ name: x-set, value: one }]
                add: [{ name: x-add, value: two }]
                remove: [x-gone]
            - type: URLRewrite
              urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /echo } }
            backendRefs: [{ name: a }]
          - matches: [{ path: { value: /resph } }]
            filters:
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                set: [{ name: x-set, value: one }]
                add: [{ name: x-add, value: two }]
                remove: [Content-Type]
            - type: URLRewrite
              urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } }
            backendRefs: [{ name: a }]
          - matches: [{ path: { value: /old } }]
            filters:
            - type: URLRewrite
              urlRewrite: { hostname: rewritten.test, path: { type: ReplacePrefixMatch, replacePrefixMatch: / } }
            backendRefs: [{ name: a }]
          - matches: [{ path: { value: /moved } }]
            filters:
            - type: RequestRedirect
              requestRedirect: { scheme: https, hostname: example.test, statusCode: 301, path: { type: ReplacePrefixMatch, replacePrefixMatch: /new } }
          - matches: [{ path: { value: /to-port } }]
            filters:
            - type: RequestRedirect
              requestRedirect: { port: 8443 }
          - matches: [{ path: { value: /mirrored } }]
            filters:
            - type: RequestMirror
              requestMirror: { backendRef: { name: b, port: 80 } }
            - type: URLRewrite
              urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: / } }
            backendRefs: [{ name: a }]
          - matches: [{ path: { value: /unused } }]
            backendRefs: [{ name: c }, { name: d }]
        """;

    [Fact]
    public async Task EachFilterKind_ChangesTheRequestOrTheAnswer()
    {
        await using var routed = await StartAsync(Filters);
        var (gateway, backends) = (routed.Gateway, routed.Backends);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Proxy.BaseAddress };

        using var headers = new HttpRequestMessage(HttpMethod.Get, "/reqh/x");
        headers.Headers.Add("x-set", "original");
        headers.Headers.Add("x-add", "first");
        headers.Headers.Add("x-gone", "bye");
        var echoed = await (await client.SendAsync(headers)).Content.ReadAsStringAsync();
        Assert.StartsWith("GET /echo\n", echoed, StringComparison.Ordinal);
        Assert.Contains("x-set: one\n", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("x-set: original", echoed, StringComparison.Ordinal);
        Assert.Contains("x-add: first", echoed, StringComparison.Ordinal);
        Assert.Contains("two", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("x-gone", echoed, StringComparison.OrdinalIgnoreCase);

        using var answer = await client.GetAsync("/resph");
        Assert.Equal("hello from a", (await answer.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(["one"], answer.Headers.GetValues("x-set"));
        Assert.Equal(["two"], answer.Headers.GetValues("x-add"));
        Assert.Null(answer.Content.Headers.ContentType);

        var rewritten = await client.GetStringAsync("/old/echo?q=1");
        Assert.StartsWith("GET /echo?q=1\n", rewritten, StringComparison.Ordinal);
        Assert.Contains("Host: rewritten.test\n", rewritten, StringComparison.Ordinal);
        Assert.Equal("hello from a", (await client.GetStringAsync("/old")).Trim());

        using var moved = await client.GetAsync("/moved/a/b?x=1");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("https://example.test/new/a/b?x=1", moved.Headers.Location?.ToString());
        using var toPort = await client.GetAsync("/to-port/z");
        Assert.Equal(HttpStatusCode.Found, toPort.StatusCode);
        Assert.Equal("http://127.0.0.1:8443/to-port/z", toPort.Headers.Location?.ToString());

        var before = await MirrorCountAsync(backends[1]);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("hello from a", (await client.GetStringAsync("/mirrored")).Trim());
        }

        await Poll.UntilAsync(async () => await MirrorCountAsync(backends[1]) >= before + 5, "service b to receive the 5 mirrored requests", TimeSpan.FromSeconds(10));
    }

    private static async Task<long> MirrorCountAsync(DemoBackendProcess backend) =>
        long.Parse((await backend.Http.GetStringAsync("/stats")).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    private const string Split = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: canary }
        spec:
          rules:
          - backendRefs:
            - { name: a, weight: 90 }
            - { name: b, weight: 10 }
            - { name: c, weight: 0 }
            - { name: d, weight: 0 }
        """;

    [Fact]
    public async Task WeightedBackendRefs_SplitNinetyTenWithinAFewPercentOverAThousandRequests()
    {
        await using var routed = await StartAsync(Split);
        var gateway = routed.Gateway;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var who = (await gateway.Proxy.GetStringAsync("/")).Trim();
            counts[who] = counts.GetValueOrDefault(who) + 1;
        }

        var summary = string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
        Console.WriteLine($"90/10 split over 1000 requests: {summary}");
        Assert.Equal(1000, counts.GetValueOrDefault("hello from a") + counts.GetValueOrDefault("hello from b"));
        Assert.InRange(counts.GetValueOrDefault("hello from b"), 70, 130);
    }
}
