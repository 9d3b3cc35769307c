using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>The admin port's status page in a real headless Chromium, while a pod restarts.</summary>
public sealed class StatusPageTests
{
    /// <summary>Where the screenshot goes; docs/status-page.png in the README is a copy of it.</summary>
    public static readonly string ScreenshotPath = Path.Combine(RepoPaths.Root, "artifacts", "status-page.png");

    private static string Service(string name, int replicas, string args, string? path = null) =>
        DemoService.Member(name, replicas, args, DemoService.Readiness + "," + DemoService.Liveness(3), gracePeriodSeconds: 2, path: path);

    private static async Task<string> ChromiumAsync(string chromium, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("gateway-chromium-").FullName;
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}",
        }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return await stdout;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

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

        var dom = await ChromiumAsync(chromium, "--dump-dom", url);
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
        Assert.Contains("http-equiv=\"refresh\"", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);

        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        File.Delete(ScreenshotPath);
        await ChromiumAsync(chromium, $"--screenshot={ScreenshotPath}", "--window-size=1000,1100", url);
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000, $"no screenshot at {ScreenshotPath}");
    }
}
