using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>
/// A request that outlives the grace period (a long poll, an event stream) does not take the stop's
/// share of it: the drain closes it at its deadline, preStop has run beside the drain, SIGTERM comes
/// with at least 2 s before SIGKILL, and the app's own exit code is what the gateway reports.
/// </summary>
public sealed class DrainDeadlineTests : IDisposable
{
    private const int GraceSeconds = 6;

    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-drain-deadline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Web(int replicas)
    {
        var preStop = Path.Combine(_dir, "prestop");
        var member = DemoService.Member("web", replicas, "\"--exit-code\", \"7\"", gracePeriodSeconds: GraceSeconds);
        // preStop writes when it ran (seconds since the epoch) where the test can read it.
        return DemoService.Services(member.Replace(
            "\"name\": \"web\",",
            $$"""
            "name": "web", "lifecycle": { "preStop": { "exec": { "command": [ "sh", "-c", "date +%s.%N > {{preStop}}" ] } } },
            """,
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestLongerThanTheGrace_ClosedAtTheDrainDeadline_PreStopRan_SigtermWithTwoSecondsToSpare_RealExitCode()
    {
        // The settings go in _dir: a Process container with a private /tmp sees its settings folder, where preStop writes.
        await using var gateway = await GatewayProcess.StartAsync(Web(1), _dir);
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?[0].Ready == true, "a ready pod")).Single();
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the pod routed");

        using var client = new HttpClient { BaseAddress = gateway.Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var longPoll = client.GetAsync("/slow?ms=30000", HttpCompletionOption.ResponseHeadersRead);
        await Poll.UntilAsync(async () => await ZeroDropTests.ActiveRequestsAsync(gateway) >= 1, "the long request in flight");

        var stopping = Stopwatch.StartNew();
        var stopAt = DateTimeOffset.UtcNow;
        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings(Web(0), gateway.ProxyPort, gateway.AdminPort));

        // Closed by the gateway at the drain deadline (grace - 2 s), long before its 30 s.
        var ended = await Record.ExceptionAsync(async () => (await longPoll.WaitAsync(TimeSpan.FromSeconds(30))).EnsureSuccessStatusCode());
        var closedAfter = stopping.Elapsed;
        Assert.IsNotType<TimeoutException>(ended);
        Assert.NotNull(ended);
        Assert.True(closedAfter < TimeSpan.FromSeconds(GraceSeconds), $"the long request ended {closedAfter.TotalSeconds:0.0} s after the stop began");
        Assert.True(closedAfter > TimeSpan.FromSeconds(GraceSeconds - 2 - 1.5), $"the long request ended {closedAfter.TotalSeconds:0.0} s after the stop began: before the drain's deadline");
        await Poll.UntilAsync(() => Task.FromResult(gateway.Output.Contains($"pod {pod.Metadata.Name}: drain deadline: closing 1 request(s) still in flight", StringComparison.Ordinal)),
            $"the drain's closing line\n{gateway.Output}");

        // The stop's own line: when the signal went, how long SIGKILL was kept off, the app's exit code.
        var stopped = new Regex($@"pod {pod.Metadata.Name} container web: stopped: drain ([0-9.]+) s, preStop ([0-9.]+) s, stop signal at ([0-9.]+) s with ([0-9.]+) s before SIGKILL, exited ([0-9.]+) s after it with code (\d+)");
        await Poll.UntilAsync(() => Task.FromResult(stopped.IsMatch(gateway.Output)), $"the stop's line\n{gateway.Output}", TimeSpan.FromSeconds(30));
        var m = stopped.Match(gateway.Output);
        double Seconds(int group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.True(Seconds(4) >= 2, $"SIGKILL {Seconds(4)} s after SIGTERM: {m.Value}");
        Assert.True(Seconds(3) <= GraceSeconds - 2 + 0.5, $"SIGTERM only at {Seconds(3)} s: {m.Value}");
        Assert.Equal("7", m.Groups[6].Value);

        // preStop ran when the stop began, beside the drain, not after it.
        var preStopAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(File.ReadAllText(Path.Combine(_dir, "prestop")).Trim(), CultureInfo.InvariantCulture) * 1000));
        Assert.True(preStopAt - stopAt < TimeSpan.FromSeconds(3), $"preStop ran {(preStopAt - stopAt).TotalSeconds:0.0} s after the stop began");
    }
}
