using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>The admin port's status page (the dashboard) in a real headless Chromium, against a real gateway with real pods and real load.</summary>
public sealed partial class StatusPageTests
{
    /// <summary>Where the first test's screenshot goes (not committed).</summary>
    public static readonly string ScreenshotPath = Path.Combine(RepoPaths.Root, "artifacts", "status-page.png");

    /// <summary>
    /// The dashboard's screenshot; docs/dashboard.png, which the README shows, is a copy of it (a test
    /// run does not change a committed file).
    /// </summary>
    public static readonly string DashboardScreenshotPath = Path.Combine(RepoPaths.Root, "artifacts", "dashboard.png");

    /// <summary>
    /// An exec readiness probe whose output (shown on the page, and in its Unhealthy events) is markup
    /// that would mark the page if it ran or loaded.
    /// </summary>
    private const string HostileProbe = """
        "readinessProbe": { "exec": { "command": [ "sh", "-c", "echo '<script>document.documentElement.dataset.pwned=1</script><img src=x onerror=document.documentElement.dataset.pwned=2>'; exit 1" ] }, "periodSeconds": 1 }
        """;

    private static string Service(string name, int replicas, string args, string? path = null) =>
        DemoService.Member(name, replicas, args, DemoService.Readiness + "," + DemoService.Liveness(3), gracePeriodSeconds: 2, path: path);

    [SkippableFact]
    public async Task StatusPage_WhileAPodRestarts_ShowsPodsProbesEventsAndRoutes()
    {
        var chromium = RequiredTool.Find("chromium", "chromium");
        var services = DemoService.Services(Service("web", 2, "\"--ready-after\", \"1\""), Service("flaky", 1, "\"--healthy-for\", \"2\"", "/flaky/{**rest}"), Service("idle", 0, "", "/idle/{**rest}"));
        await using var gateway = await GatewayProcess.StartAsync(services);
        var pods = await gateway.WaitForPodsAsync(
            p => p.Count == 3 && p.Any(pod => pod.Metadata.Name.StartsWith("flaky-", StringComparison.Ordinal) && pod.Status.ContainerStatuses?.Single().RestartCount >= 1)
                && p.Count(pod => pod.Status.ContainerStatuses?.Single().Ready == true) >= 2,
            "web ready and flaky restarted", TimeSpan.FromSeconds(40));
        var flaky = pods.Single(p => p.Metadata.Name.StartsWith("flaky-", StringComparison.Ordinal)).Metadata.Name;
        var url = $"http://127.0.0.1:{gateway.AdminPort}/";

        var dom = await Chromium.RunAsync(chromium, "--dump-dom", url);
        Assert.Contains("<h1>Gateway</h1>", dom, StringComparison.Ordinal);
        Assert.Contains($"<td>{flaky}</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<td>idle</td><td>0/0</td>", dom, StringComparison.Ordinal);
        foreach (var pod in pods)
        {
            Assert.Contains(pod.Metadata.Name, dom, StringComparison.Ordinal);
        }

        Assert.Matches(@"<td>[1-9]\d* \(\d+s ago\)</td>", dom);
        Assert.Contains("liveness (httpGet)", dom, StringComparison.Ordinal);
        Assert.Contains("Liveness probe failed", dom, StringComparison.Ordinal);
        Assert.Contains("<td>/{**catch-all}</td>", dom, StringComparison.Ordinal);

        // Without script it reloads itself; with it, the one script of the page refreshes its live part.
        Assert.Contains("http-equiv=\"refresh\"", dom, StringComparison.Ordinal);
        Assert.Single(ScriptTag().Matches(dom));

        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        File.Delete(ScreenshotPath);
        await Chromium.RunAsync(chromium, $"--screenshot={ScreenshotPath}", "--window-size=1000,1100", url);
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000, $"no screenshot at {ScreenshotPath}");
    }

    [SkippableFact]
    public async Task Dashboard_UnderLoad_DrawsChartsTimelinesAndButtons_AndRunsNothingFromThePods()
    {
        var chromium = RequiredTool.Find("chromium", "chromium");
        var services = DemoService.Services(Service("web", 2, "\"--ready-after\", \"1\""), Service("flaky", 1, "\"--healthy-for\", \"2\"", "/flaky/{**rest}"),
            Service("idle", 0, "", "/idle/{**rest}"), DemoService.Member("hostile", 1, "", HostileProbe, path: "/hostile/{**rest}"));
        await using var gateway = await GatewayProcess.StartAsync(services);
        var pods = await gateway.WaitForPodsAsync(
            p => p.Count == 4 && p.Any(pod => pod.Metadata.Name.StartsWith("flaky-", StringComparison.Ordinal) && pod.Status.ContainerStatuses?.Single().RestartCount >= 1)
                && p.Count(pod => pod.Metadata.Name.StartsWith("web-", StringComparison.Ordinal) && pod.Status.ContainerStatuses?.Single().Ready == true) == 2,
            "web ready and flaky restarted", TimeSpan.FromSeconds(40));

        // Real requests through the proxy port, still running while the page is read: web answers,
        // idle has no pod (503: an error), a few a second.
        await using var load = new LoadGenerator(new Uri($"http://127.0.0.1:{gateway.ProxyPort}/"), clients: 4);
        using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.ProxyPort}/") };
        var refused = 0;
        for (var i = 0; i < 120; i++)
        {
            using var response = await proxy.GetAsync("/idle/x");
            refused += response.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
            await Task.Delay(100);
        }

        Assert.True(load.Sent > 100 && refused == 120, $"load: {load.Sent} to web, {refused} of 120 refused by idle");
        var url = $"http://127.0.0.1:{gateway.AdminPort}/";
        using (var response = await gateway.Admin.GetAsync(url))
        {
            var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Matches(@"script-src 'nonce-[A-Za-z0-9+/=]{24}';", policy);
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        }

        var dom = await Chromium.RunAsync(chromium, "--dump-dom", url);

        // The charts: web has requests and a p99, idle has errors; each a path that leaves the baseline.
        Assert.True(ChartPeak(dom, "web", "requests") > 0, "web's request chart is flat");
        Assert.True(ChartPeak(dom, "web", "p99") > 0, "web's p99 chart is empty");
        Assert.True(ChartPeak(dom, "idle", "errors") > 0, "idle's error chart is flat");
        Assert.True(ChartPeak(dom, "web", "errors") == 0, $"web answered every request, yet: {Chart(dom, "web", "errors")}");

        // The timelines: a strip for every pod, web's ending ready, flaky's with a restart tick.
        foreach (var pod in pods.Select(p => p.Metadata.Name))
        {
            var strip = Strip(dom, pod);
            Assert.Contains("class=\"stage ", strip, StringComparison.Ordinal);
            if (pod.StartsWith("web-", StringComparison.Ordinal))
            {
                Assert.Contains("class=\"stage ready\"", strip, StringComparison.Ordinal);
            }

            if (pod.StartsWith("flaky-", StringComparison.Ordinal))
            {
                Assert.Contains("class=\"restart\"", strip, StringComparison.Ordinal);
            }

            Assert.Contains($"data-action=\"restart-pod\" data-name=\"{pod}\"", dom, StringComparison.Ordinal);
        }

        // The buttons of a Deployment, and the token field.
        Assert.Contains("data-action=\"scale\" data-name=\"web\"", dom, StringComparison.Ordinal);
        Assert.Contains("data-action=\"rollout-restart\" data-name=\"web\"", dom, StringComparison.Ordinal);
        Assert.Matches("<span id=\"token-state\" class=\"warn\">no token", dom);

        // The hostile probe's output is on the page as text; none of it ran.
        Assert.Contains("&lt;script&gt;document.documentElement.dataset.pwned=1&lt;/script&gt;", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("data-pwned", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", dom, StringComparison.Ordinal);
        Assert.Single(ScriptTag().Matches(dom));

        Directory.CreateDirectory(Path.GetDirectoryName(DashboardScreenshotPath)!);
        File.Delete(DashboardScreenshotPath);
        await Chromium.RunAsync(chromium, $"--screenshot={DashboardScreenshotPath}", "--window-size=1100,1500", url);
        Assert.True(new FileInfo(DashboardScreenshotPath).Length > 20_000, $"no screenshot at {DashboardScreenshotPath}");
        var (_, failed) = await load.StopAsync();
        Assert.True(failed == 0, load.FailureSample);
    }

    [SkippableFact]
    public async Task Dashboard_Buttons_AreRefusedWithoutTheToken_AndWithItScaleRestartAndRolloutRestart()
    {
        var chromium = RequiredTool.Find("chromium", "chromium");
        await using var gateway = await GatewayProcess.StartAsync(DemoService.Services(Service("web", 2, "\"--ready-after\", \"1\"")));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(pod => pod.Status.ContainerStatuses?.Single().Ready == true), "web ready", TimeSpan.FromSeconds(30));
        await using var browser = await Chromium.OpenAsync(chromium, $"http://127.0.0.1:{gateway.AdminPort}/");
        await Poll.UntilAsync(async () => (await browser.EvaluateAsync("document.readyState === 'complete' && !!document.querySelector('button[data-action=scale][data-name=web]')"))?.GetValue<bool>() == true,
            "the dashboard's buttons", TimeSpan.FromSeconds(20));
        Assert.StartsWith("no token", await browser.TextAsync("document.getElementById('token-state').textContent"), StringComparison.Ordinal);

        // No token: the page's request is refused and the page says why.
        var result = await ClickAsync(browser, "const row = document.querySelector('button[data-action=scale][data-name=web]').closest('tr'); row.querySelector('input.replicas').value = '3'; row.querySelector('button[data-action=scale]').click();");
        Assert.StartsWith("Refused (401 Unauthorized): paste the admin token", result, StringComparison.Ordinal);
        Assert.Equal(2, await ReplicasAsync(gateway));

        // A wrong token is refused when pasted, and not kept.
        await browser.EvaluateAsync("document.getElementById('token').value = 'not-the-token'; document.getElementById('save-token').click();");
        await Poll.UntilAsync(async () => (await browser.TextAsync("document.getElementById('token-state').textContent")).StartsWith("the gateway refused that token (401)", StringComparison.Ordinal),
            "the wrong token refused", TimeSpan.FromSeconds(10));
        Assert.Null(await browser.EvaluateAsync("sessionStorage.getItem('gateway-admin-token')"));

        // The token, pasted once, survives the page's reload (sessionStorage) and allows the writes.
        await browser.EvaluateAsync($"document.getElementById('token').value = {JsonValue.Create(gateway.Token).ToJsonString()}; document.getElementById('save-token').click();");
        await Poll.UntilAsync(async () => await browser.TextAsync("document.getElementById('token-state').textContent") == "token set for this tab", "the token taken", TimeSpan.FromSeconds(10));
        await browser.EvaluateAsync("window.beforeReload = true; location.reload()");
        await Poll.UntilAsync(async () => await browser.TextAsync("!window.beforeReload && document.readyState === 'complete' && document.getElementById('token-state') ? document.getElementById('token-state').textContent : ''") == "token set for this tab",
            "the token after a reload", TimeSpan.FromSeconds(20));
        Assert.Equal("", await browser.TextAsync("document.getElementById('token').value"));

        result = await ClickAsync(browser, "const row = document.querySelector('button[data-action=scale][data-name=web]').closest('tr'); row.querySelector('input.replicas').value = '3'; row.querySelector('button[data-action=scale]').click();");
        Assert.Equal("deployment web scaled to 3", result);
        Assert.Equal(3, await ReplicasAsync(gateway));
        await gateway.WaitForPodsAsync(p => p.Count(pod => pod.Metadata.DeletionTimestamp is null) == 3, "a third web pod", TimeSpan.FromSeconds(30));

        var victim = pods[0].Metadata.Name;
        result = await ClickAsync(browser, $"document.querySelector('button[data-action=restart-pod][data-name={victim}]').click();");
        Assert.Equal($"pod {victim} deleted: it drains, and a Deployment replaces it", result);
        await gateway.WaitForPodsAsync(p => p.All(pod => pod.Metadata.Name != victim || pod.Metadata.DeletionTimestamp is not null), $"{victim} deleted", TimeSpan.FromSeconds(10));

        result = await ClickAsync(browser, "document.querySelector('button[data-action=rollout-restart][data-name=web]').click();");
        Assert.Equal("deployment web restarted", result);
        using var admin = gateway.AdminWithToken();
        var deployment = JsonNode.Parse(await admin.GetStringAsync("/apis/apps/v1/namespaces/default/deployments/web"))!;
        var restartedAt = (string?)deployment["spec"]!["template"]!["metadata"]!["annotations"]?["kubectl.kubernetes.io/restartedAt"];
        Assert.NotNull(restartedAt);
        var at = DateTimeOffset.Parse(restartedAt, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - at).TotalSeconds) < 60, $"restartedAt {restartedAt}");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", restartedAt);
    }

    /// <summary>Runs a click in the page and returns the message the page shows once the request is answered.</summary>
    private static async Task<string> ClickAsync(Chromium browser, string script)
    {
        await browser.EvaluateAsync("document.getElementById('action-result').textContent = ''; " + script);
        var text = "";
        await Poll.UntilAsync(async () =>
        {
            text = await browser.TextAsync("document.getElementById('action-result').textContent");
            return text.Length > 0 && !text.EndsWith("...", StringComparison.Ordinal);
        }, "the page's answer to the click", TimeSpan.FromSeconds(15));
        return text;
    }

    private static async Task<int> ReplicasAsync(GatewayProcess gateway)
    {
        using var admin = gateway.AdminWithToken();
        var scale = JsonNode.Parse(await admin.GetStringAsync("/apis/apps/v1/namespaces/default/deployments/web/scale"))!;
        return (int)scale["spec"]!["replicas"]!;
    }

    /// <summary>How far a chart's line rises above its baseline at its highest (0: flat or empty); fails when the chart is missing.</summary>
    private static double ChartPeak(string dom, string service, string kind)
    {
        var path = Regex.Match(Chart(dom, service, kind), "<path class=\"line\" d=\"([^\"]*)\"");
        Assert.True(path.Success, $"no line in {service}'s {kind} chart");
        var ys = Regex.Matches(path.Groups[1].Value, @"[ML]([\d.]+) ([\d.]+)").Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
        return ys.Count == 0 ? 0 : 44 - ys.Min();
    }

    private static string Chart(string dom, string service, string kind)
    {
        var chart = Regex.Match(dom, $"<svg class=\"chart\" data-service=\"{service}\" data-chart=\"{kind}\".*?</svg>", RegexOptions.Singleline);
        Assert.True(chart.Success, $"no {kind} chart for {service}");
        return chart.Value;
    }

    private static string Strip(string dom, string pod)
    {
        var strip = Regex.Match(dom, $"<svg class=\"strip\" data-pod=\"{pod}\".*?</svg>", RegexOptions.Singleline);
        Assert.True(strip.Success, $"no timeline strip for {pod}");
        return strip.Value;
    }

    [GeneratedRegex("<script[ >]", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
