using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// The hand-over with real gateway processes on real sockets: <c>kill -HUP</c> starts a new gateway
/// that takes the listening sockets, the old one exits once the new one is ready. Under a keep-alive
/// load and a load that opens a new connection for every request, every failure (refused, reset,
/// any answer but 200) is counted, and there must be none. The backend is a real process behind a
/// Static service, so the hand-over's own work is what is measured.
/// </summary>
public sealed partial class HandoverTests
{
    private static string Web(DemoBackendProcess backend) => $$"""
        { "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ],
                   "ReadinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 } } }
        """;

    [Fact]
    public async Task ThreeHangUpsInARow_EachNewGatewayServes_NoRequestFails()
    {
        using var backend = await DemoBackendProcess.StartAsync("handover-a");
        await using var gateway = await GatewayProcess.StartAsync(Web(backend));
        await WaitForServingAsync(gateway.Proxy);
        try
        {
            var pids = await HangUpThreeTimesUnderLoadAsync(gateway);
            Assert.Equal(4, pids.Distinct().Count());
        }
        finally
        {
            await StopServingAsync(gateway);
        }
    }

    [Fact]
    public async Task ThreeHangUpsInARow_ProcessPodsKept_SameNamesUidsPidsAndRestarts_NoRequestFails()
    {
        await using var gateway = await GatewayProcess.StartAsync(DemoService.Services(DemoService.Member("web", 2)));
        static string Seen(k8s.Models.V1Pod p) =>
            $"{p.Metadata.Name} {p.Metadata.Uid} pid={GatewayProcess.ProcessIdOf(p.Status.ContainerStatuses[0])} restarts={p.Status.ContainerStatuses[0].RestartCount}";
        var before = (await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(x => x.Status.ContainerStatuses?[0].Ready == true), "two ready pods"))
            .Select(Seen).Order(StringComparer.Ordinal).ToList();
        try
        {
            await HangUpThreeTimesUnderLoadAsync(gateway);

            // The pods are the ones the first gateway started: adopted by each new gateway, never restarted.
            var after = (await gateway.GetPodsAsync()).Items.Select(Seen).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(before, after);
        }
        finally
        {
            await StopServingAsync(gateway);
        }
    }

    /// <summary>
    /// Three <c>kill -HUP</c> in a row under a keep-alive load and a new-connection load, each
    /// hand-over awaited and followed by more requests; asserts that no request failed. Returns
    /// the gateway's pids, the first one's included.
    /// </summary>
    private static async Task<List<int>> HangUpThreeTimesUnderLoadAsync(GatewayProcess gateway)
    {
        var pid = gateway.Id;
        await using var keepAlive = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 4, maxDuration: TimeSpan.FromSeconds(120));
        await using var fresh = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 2, maxDuration: TimeSpan.FromSeconds(120), newConnections: true);
        await keepAlive.WaitForMoreAsync(50);
        var pids = new List<int> { pid };
        for (var i = 0; i < 3; i++)
        {
            GatewayProcess.Signal(pid, "HUP");
            pid = await WaitForHandoverAsync(gateway, pid);
            pids.Add(pid);
            await keepAlive.WaitForMoreAsync(50);
            await fresh.WaitForMoreAsync(20);
        }

        var (sent, failed) = await keepAlive.StopAsync();
        var (freshSent, freshFailed) = await fresh.StopAsync();
        Assert.True(sent > 200 && failed == 0, $"keep-alive load: {failed} of {sent} requests failed:\n{keepAlive.FailureSample}");
        Assert.True(freshSent > 60 && freshFailed == 0, $"new-connection load: {freshFailed} of {freshSent} requests failed:\n{fresh.FailureSample}");
        return pids;
    }

    [Fact]
    public async Task ProxyUrlChangedInTheSettingsFile_AppliedByHandover_AdminSocketKept()
    {
        using var backend = await DemoBackendProcess.StartAsync("handover-url");
        await using var gateway = await GatewayProcess.StartAsync(Web(backend));
        await WaitForServingAsync(gateway.Proxy);
        var pid = gateway.Id;
        try
        {
            // The admin URL does not change: its socket is passed, and a load on it sees no failure.
            await using var admin = new LoadGenerator(gateway.AdminUrl, clients: 2, path: "/readyz", maxDuration: TimeSpan.FromSeconds(60), newConnections: true);
            await admin.WaitForMoreAsync(20);
            var newPort = FreePort.Get();
            var settings = await File.ReadAllTextAsync(gateway.SettingsPath);
            await File.WriteAllTextAsync(gateway.SettingsPath, settings.Replace($"127.0.0.1:{gateway.ProxyPort}", $"127.0.0.1:{newPort}", StringComparison.Ordinal));
            pid = await WaitForHandoverAsync(gateway, pid);

            using var moved = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{newPort}"), Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal(HttpStatusCode.OK, (await moved.GetAsync("/")).StatusCode);
            await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient().GetAsync($"http://127.0.0.1:{gateway.ProxyPort}/"));
            await admin.WaitForMoreAsync(20);
            var (sent, failed) = await admin.StopAsync();
            Assert.True(failed == 0, $"admin load: {failed} of {sent} requests failed:\n{admin.FailureSample}");
            Assert.Contains("Proxy or Admin URLs changed in the settings file", gateway.Output, StringComparison.Ordinal);
        }
        finally
        {
            await StopServingAsync(gateway);
        }
    }

    [Fact]
    public async Task NewGatewayFailsToStart_TheOldOneKeepsServing_AndSaysWhy()
    {
        using var backend = await DemoBackendProcess.StartAsync("handover-bad");
        await using var gateway = await GatewayProcess.StartAsync(Web(backend));
        await WaitForServingAsync(gateway.Proxy);
        await using var keepAlive = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 2, maxDuration: TimeSpan.FromSeconds(60));
        await using var fresh = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 2, maxDuration: TimeSpan.FromSeconds(60), newConnections: true);
        await keepAlive.WaitForMoreAsync(20);

        // A settings file the new gateway refuses (the running one refuses its reload too and keeps its own).
        var settings = await File.ReadAllTextAsync(gateway.SettingsPath);
        await File.WriteAllTextAsync(gateway.SettingsPath, settings.Replace("\"periodSeconds\": 1", "\"periodSeconds\": -5", StringComparison.Ordinal));
        GatewayProcess.Signal(gateway.Id, "HUP");
        await Poll.UntilAsync(() => Task.FromResult(gateway.Output.Contains("HandoverFailed", StringComparison.Ordinal)), "the failed hand-over's event\n" + gateway.Output, TimeSpan.FromSeconds(30));

        Assert.False(gateway.HasExited);
        var events = await gateway.GetEventsAsync();
        var failedEvent = Assert.Single(events, e => e.Reason == "HandoverFailed");
        Assert.True(failedEvent.Message.Contains("exited with code 2 before it was ready", StringComparison.Ordinal) && failedEvent.Message.Contains("periodSeconds", StringComparison.Ordinal),
            failedEvent.Message);
        await keepAlive.WaitForMoreAsync(20);
        await fresh.WaitForMoreAsync(10);
        var (sent, failed) = await keepAlive.StopAsync();
        var (freshSent, freshFailed) = await fresh.StopAsync();
        Assert.True(failed == 0, $"keep-alive load: {failed} of {sent} requests failed:\n{keepAlive.FailureSample}");
        Assert.True(freshFailed == 0, $"new-connection load: {freshFailed} of {freshSent} requests failed:\n{fresh.FailureSample}");
    }

    [Fact]
    public async Task AdminEndpoint_NeedsTheToken_AndHandsOver()
    {
        using var backend = await DemoBackendProcess.StartAsync("handover-admin");
        await using var gateway = await GatewayProcess.StartAsync(Web(backend), adminScheme: "https");
        await WaitForServingAsync(gateway.Proxy);
        var pid = gateway.Id;
        try
        {
            using var anonymous = new HttpClient(gateway.AdminHandler()) { BaseAddress = gateway.AdminUrl };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/gateway/v1/handover", null)).StatusCode);
            Assert.True(GatewayProcess.IsAlive(pid));

            using var admin = gateway.AdminWithToken();
            using var response = await admin.PostAsync("/gateway/v1/handover", null);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var newPid = int.Parse(PidInBody().Match(body).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.NotEqual(pid, newPid);
            Assert.Equal(newPid, await WaitForHandoverAsync(gateway, pid));
            pid = newPid;
            Assert.Equal(HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);
        }
        finally
        {
            await StopServingAsync(gateway);
        }
    }

    private static Task WaitForServingAsync(HttpClient proxy) =>
        Poll.UntilAsync(async () =>
        {
            try
            {
                return (await proxy.GetAsync("/")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the proxy to answer 200", TimeSpan.FromSeconds(20));

    /// <summary>Waits for the log line that says which pid took over from <paramref name="old"/>, then for the old one to exit; returns the new pid.</summary>
    internal static async Task<int> WaitForHandoverAsync(GatewayProcess gateway, int old)
    {
        var line = new Regex($@"hand-over: pid (\d+) is serving .*; pid {old} stops accepting");
        Match match = Match.Empty;
        await Poll.UntilAsync(() => Task.FromResult((match = line.Match(gateway.Output)).Success), $"pid {old} to hand over\n{gateway.Output}", TimeSpan.FromSeconds(45));
        await Poll.UntilAsync(() => Task.FromResult(!GatewayProcess.IsAlive(old)), $"pid {old} to exit after the hand-over\n{gateway.Output}", TimeSpan.FromSeconds(30));
        var pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(GatewayProcess.IsAlive(pid), $"the new gateway {pid} is not running\n{gateway.Output}");
        return pid;
    }

    /// <summary>Stops the gateway that serves now (the last that took over, as the output says), when a hand-over made it another process than the one the test started.</summary>
    internal static async Task StopServingAsync(GatewayProcess gateway)
    {
        var last = ServingLine().Matches(gateway.Output).LastOrDefault();
        var pid = last is null ? 0 : int.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture);
        if (pid == 0 || !GatewayProcess.IsAlive(pid))
        {
            return;
        }

        GatewayProcess.Signal(pid, "TERM");
        await Poll.UntilAsync(() => Task.FromResult(!GatewayProcess.IsAlive(pid)), $"gateway {pid} to stop", TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@"hand-over: pid (\d+) is serving")]
    private static partial Regex ServingLine();

    [GeneratedRegex("\"pid\":(\\d+)")]
    private static partial Regex PidInBody();
}
