using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>The gateway as a user runs it: real processes, real sockets, the real executable.</summary>
public sealed class FoundationTests
{
    private static string Web(int replicas, string restartPolicy = "Always", string args = "") =>
        DemoService.Services(DemoService.Member("web", replicas, args, restartPolicy: restartPolicy));

    private static async Task<HashSet<string>> PodsAnsweringAsync(GatewayProcess gateway, int requests)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            var body = await gateway.Proxy.GetStringAsync("/");
            seen.Add(body.Trim().Split(' ').Last());
        }

        return seen;
    }

    [Fact]
    public async Task Requests_ThroughTheGateway_ReachBothPods()
    {
        await using var gateway = await GatewayProcess.StartAsync(Web(2));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(x => x.Status.ContainerStatuses[0].Ready == true), "two ready pods");

        var answered = await PodsAnsweringAsync(gateway, 6);

        Assert.Equal(pods.Select(p => p.Metadata.Name).Order(), answered.Order());
        Assert.All(pods, p => Assert.Matches("^web-[a-z0-9]+-[a-z0-9]{5}$", p.Metadata.Name));
        Assert.All(pods, p => Assert.Equal("web", p.Metadata.Labels["app"]));
        Assert.All(pods, p => Assert.InRange(p.Spec.Containers[0].Ports[0].HostPort ?? 0, 1, 65535));
    }

    [Fact]
    public async Task SigkillOfAPodsProcess_RestartPolicyAlways_RestartsInPlaceAndTheServiceKeepsAnswering()
    {
        await using var gateway = await GatewayProcess.StartAsync(Web(2));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(x => x.Status.ContainerStatuses[0].Ready == true), "two ready pods");
        var victim = pods[0];

        GatewayProcess.Signal(GatewayProcess.ProcessIdOf(victim.Status.ContainerStatuses[0]), "KILL");

        await gateway.WaitForPodsAsync(p => p.Any(x => x.Metadata.Name == victim.Metadata.Name
            && x.Status.ContainerStatuses[0].RestartCount == 1 && x.Status.ContainerStatuses[0].Ready == true), "the killed container restarted in its pod");
        var after = await gateway.GetPodAsync(victim.Metadata.Name);
        Assert.Equal(137, after!.Status.ContainerStatuses[0].LastState.Terminated.ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SigkillOfAPodsProcess_RestartPolicyNever_GetsAReplacementPod()
    {
        await using var gateway = await GatewayProcess.StartAsync(Web(2, "Never"));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(x => x.Status.ContainerStatuses[0].Ready == true), "two ready pods");
        var victim = pods[0].Metadata.Name;

        GatewayProcess.Signal(GatewayProcess.ProcessIdOf(pods[0].Status.ContainerStatuses[0]), "KILL");

        // The survivor keeps answering while the replacement starts.
        Assert.Equal(HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);
        var all = await gateway.WaitForPodsAsync(p => p.Count(x => x.Metadata.Name != victim && x.Status.ContainerStatuses[0].Ready == true) == 2,
            "a replacement pod with a new name");
        Assert.Contains(all, p => p.Metadata.Name == pods[1].Metadata.Name);

        // The killed pod stays listed as history: Failed, with the exit code SIGKILL gave it.
        var killed = Assert.Single(all, p => p.Metadata.Name == victim);
        Assert.Equal(("Failed", 137), (killed.Status.Phase, killed.Status.ContainerStatuses[0].State.Terminated.ExitCode));
        Assert.Equal(2, (await PodsAnsweringAsync(gateway, 6)).Count);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task GatewayStop_LeavesNoPodProcessBehind(string signal)
    {
        var gateway = await GatewayProcess.StartAsync(Web(2));
        await using var _ = gateway;
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(x => x.Status.ContainerStatuses[0].State.Running is not null), "two running pods");
        var pids = pods.Select(p => GatewayProcess.ProcessIdOf(p.Status.ContainerStatuses[0])).ToList();
        Assert.All(pids, pid => Assert.True(GatewayProcess.IsAlive(pid)));

        var exitCode = await gateway.StopAsync(signal);

        Assert.Equal(0, exitCode);
        Assert.All(pids, pid => Assert.False(GatewayProcess.IsAlive(pid), $"pod process {pid} outlived the gateway"));
    }

    [Fact]
    public async Task NoPodAvailable_503WithRetryAfter()
    {
        await using var gateway = await GatewayProcess.StartAsync(Web(0));

        var response = await gateway.Proxy.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BadConfiguration_ExitsNonZeroNamingEveryFieldPath()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-bad-").FullName;
        var settings = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(settings, GatewayProcess.Settings("""
            { "web": { "Template": { "spec": { "containers": [ {
                "name": "web", "command": [ "x" ],
                "livenessProbe": { "exec": { "command": [ "true" ] }, "successThreshold": 2 },
                "ports": [ { "containerPort": 70000 } ] } ] } } },
              "db": { "Replicas": 1 } }
            """, FreePort.Get(), FreePort.Get()));

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("--config", settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Gateway:Services:web:Template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1", output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Services:web:Template.spec.containers[0].ports[0].containerPort: Invalid value: 70000", output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Services:db: Required value", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedSettingsFile_ExitsNonZeroNamingTheFileAndLine()
    {
        var settings = Path.Combine(Directory.CreateTempSubdirectory("gateway-bad-").FullName, "appsettings.json");
        await File.WriteAllTextAsync(settings, "{ \"Gateway\": { \"Services\": {\n");

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("--config", settings);

        Assert.Equal(2, exitCode);
        Assert.Contains($"gateway: cannot read {settings}:", output, StringComparison.Ordinal);
        Assert.Contains("line 2, position 1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_AreKeptPerContainer()
    {
        await using var gateway = await GatewayProcess.StartAsync(Web(1));
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses[0].Ready == true, "a ready pod"))[0];

        string log = "";
        await Poll.UntilAsync(async () => (log = await gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/log?container=web")).Contains("listening", StringComparison.Ordinal), "the pod's log");

        Assert.Contains($"pod={pod.Metadata.Name}", log, StringComparison.Ordinal);
    }
}
