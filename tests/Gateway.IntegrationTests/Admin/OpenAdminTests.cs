using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Admin;

/// <summary>A real gateway whose admin listener is bound to every interface: only /healthz and /readyz are open.</summary>
public sealed class OpenAdminTests(OpenAdminGateway fixture, ITestOutputHelper output) : IClassFixture<OpenAdminGateway>
{
    private GatewayProcess Gateway => fixture.Gateway;

    private HttpClient Anonymous(bool cookies = false) => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = cookies })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Gateway.AdminPort}"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Theory]
    [InlineData("/api/v1/namespaces/default/pods")]
    [InlineData("/api/v1/events")]
    [InlineData("/api")]
    [InlineData("/metrics")]
    [InlineData("/")]
    public async Task Read_WithoutToken_401(string path)
    {
        using var anonymous = Anonymous();

        await AdminStatus.ReadAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_WithoutToken_Open(string path)
    {
        using var anonymous = Anonymous();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Read_WithToken_Allowed()
    {
        using var admin = Gateway.AdminWithToken();

        Assert.Equal(fixture.Pod, (await AdminGateway.GetPodsAsync(admin)).Items.Single().Metadata.Name);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task StatusPage_TokenOnceInTheUrl_KeptInACookieAndDroppedFromTheUrl()
    {
        using var browser = Anonymous(cookies: true);

        var signIn = await browser.GetAsync($"/?token={Uri.EscapeDataString(Gateway.Token)}");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^gateway-admin-token=[^;]+; path=/; samesite=strict; httponly$", cookie);

        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Gateway</h1>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The cookie reads; it never writes.
        using var patch = AdminStatus.SetCondition(AdminGateway.Gate, "True");
        await AdminStatus.ReadAsync(await browser.PatchAsync($"/api/v1/namespaces/default/pods/{fixture.Pod}/status", patch), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task StatusPage_WrongTokenInTheUrl_401AndNoCookie()
    {
        using var browser = Anonymous();

        var response = await browser.GetAsync("/?token=wrong");

        await AdminStatus.ReadAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Patch_WithToken_Applied()
    {
        using var admin = Gateway.AdminWithToken();
        using var patch = AdminStatus.SetCondition(AdminGateway.Gate, "True");

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/api/v1/namespaces/default/pods/{fixture.Pod}/status", patch)).StatusCode);
        await Poll.UntilAsync(async () => (await AdminGateway.GetPodsAsync(admin)).Items[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the pod Ready");
    }

    [Fact]
    public async Task Patch_100OversizedBodies_MemoryStaysBounded()
    {
        using var admin = Gateway.AdminWithToken();
        var path = $"/api/v1/namespaces/default/pods/{fixture.Pod}/status";
        var huge = Encoding.UTF8.GetBytes("""{"status":{"conditions":[""" + string.Join(',', Enumerable.Range(0, 350_000).Select(i => $$"""{"type":"x{{i}}","status":"True"}""")) + "]}}");
        Assert.True(huge.Length > 10 << 20);
        foreach (var way in Enum.GetValues<Sending>())
        {
            await SendAsync(way);
        }

        var before = Rss(Gateway.Id);
        var outcomes = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var way = (Sending)(i % 3);
            outcomes.Add($"{way}: {await SendAsync(way)}");
        }

        var grown = Rss(Gateway.Id) - before;
        output.WriteLine($"RSS {before / (1 << 20)} MiB -> +{grown / (1 << 10)} KiB; {string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key} x{g.Count()}"))}");
        Assert.True(grown < MaxGrowth, $"RSS grew by {grown / (1 << 20)} MiB after 100 oversized PATCHes (bound {MaxGrowth / (1 << 20)} MiB)");
        Assert.All(outcomes.Where(o => o.StartsWith(nameof(Sending.AskingFirst), StringComparison.Ordinal)), o => Assert.Equal($"{nameof(Sending.AskingFirst)}: 413", o));
        Assert.All(outcomes, o => Assert.Matches(": (413|closed)$", o));
        Assert.DoesNotContain((await AdminGateway.GetPodsAsync(admin)).Items[0].Status.Conditions, c => c.Type.StartsWith('x'));

        async Task<string> SendAsync(Sending way)
        {
            using HttpContent content = way == Sending.Chunked ? new StreamContent(new UnknownLengthStream(huge)) : new ByteArrayContent(huge);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
            using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = content };
            request.Headers.ExpectContinue = way == Sending.AskingFirst;
            try
            {
                using var response = await admin.SendAsync(request);
                await AdminStatus.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
                return "413";
            }
            catch (HttpRequestException)
            {
                // The gateway answered 413 and closed the connection while the rest of the body was on its way.
                return "closed";
            }
        }
    }

    /// <summary>How a test sends an oversized body.</summary>
    private enum Sending
    {
        /// <summary><c>Expect: 100-continue</c>: the client waits for the go-ahead, and gets the 413 instead.</summary>
        AskingFirst,

        /// <summary>With <c>Content-Length</c>, all of it at once, as a hostile client would.</summary>
        Whole,

        /// <summary>Chunked, so that the gateway learns the size only by reading.</summary>
        Chunked,
    }

    /// <summary>Growth of the gateway's RSS allowed by 100 PATCHes of 11 MB (before the limit: +330 MB per request).</summary>
    private const long MaxGrowth = 32L << 20;

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
