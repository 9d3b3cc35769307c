using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Runtimes;

/// <summary>
/// Process pods outlive their gateway: after a SIGKILL, or a SIGTERM with <c>Gateway:KeepPodsOnShutdown</c>,
/// the next gateway on the same state folder adopts them (same names, uids, processes, restart counts,
/// logs), and a record whose pid is now another process's is neither adopted nor signalled.
/// </summary>
public sealed class ProcessAdoptionTests
{
    private static string Web(int replicas) => DemoService.Services(DemoService.Member("web", replicas));

    private sealed record Seen(string Name, string Uid, int Pid, int Restarts);

    private static Seen SeenOf(V1Pod pod) =>
        new(pod.Metadata.Name, pod.Metadata.Uid, GatewayProcess.ProcessIdOf(pod.Status.ContainerStatuses[0]), pod.Status.ContainerStatuses[0].RestartCount);

    private static bool AllReady(IList<V1Pod> pods, int count) =>
        pods.Count == count && pods.All(p => p.Status.ContainerStatuses?[0].Ready == true);

    private static Task<string> LogAsync(GatewayProcess gateway, string pod) =>
        gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod}/log");

    [Fact]
    public async Task After_a_SIGKILL_of_the_gateway_the_next_one_adopts_its_pods_with_their_processes_restart_counts_and_logs()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-adopt-").FullName;
        List<Seen> before;
        var logs = new Dictionary<string, string>();
        await using (var first = await GatewayProcess.StartAsync(Web(2), directory))
        {
            var pods = await first.WaitForPodsAsync(p => AllReady(p, 2), "two ready pods");

            // One container restarted once: its count must survive the gateway too.
            GatewayProcess.Signal(GatewayProcess.ProcessIdOf(pods[0].Status.ContainerStatuses[0]), "KILL");
            pods = await first.WaitForPodsAsync(p => AllReady(p, 2) && p.Any(x => x.Status.ContainerStatuses[0].RestartCount == 1), "a restarted container ready again");
            before = [.. pods.Select(SeenOf).OrderBy(s => s.Name, StringComparer.Ordinal)];
            foreach (var pod in before)
            {
                logs[pod.Name] = await LogAsync(first, pod.Name);
                Assert.Contains($"pod={pod.Name}", logs[pod.Name], StringComparison.Ordinal);
            }

            await first.StopAsync("KILL");
        }

        Assert.All(before, pod => Assert.True(GatewayProcess.IsAlive(pod.Pid), $"{pod.Name}'s process {pod.Pid} ended with the gateway"));
        await using var second = await GatewayProcess.StartAsync(Web(2), directory);
        var adopted = await second.WaitForPodsAsync(p => AllReady(p, 2), "the two pods adopted and ready");
        Assert.Equal(before, adopted.Select(SeenOf).OrderBy(s => s.Name, StringComparer.Ordinal));
        Assert.Contains("adopted pod", second.Output, StringComparison.Ordinal);
        foreach (var pod in before)
        {
            // What the instance wrote under the first gateway is still its log under the second.
            Assert.StartsWith(logs[pod.Name], await LogAsync(second, pod.Name), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await second.Proxy.GetAsync("/")).StatusCode);

        // Without KeepPodsOnShutdown a SIGTERM stops them, adopted or not.
        await second.StopAsync();
        Assert.All(before, pod => Assert.False(GatewayProcess.IsAlive(pod.Pid), $"{pod.Name}'s process {pod.Pid} outlived a SIGTERM of the gateway"));
    }

    [Fact]
    public async Task What_a_container_writes_while_no_gateway_runs_is_in_its_log_under_the_next_one()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-adopt-").FullName;
        const string Ticker = """
            { "tick": { "Template": { "spec": { "terminationGracePeriodSeconds": 1, "containers": [
                { "name": "app", "command": [ "sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done" ] } ] } } } }
            """;
        string pod;
        int lastSeen;
        await using (var first = await GatewayProcess.StartAsync(Ticker, directory))
        {
            pod = (await first.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?[0].State.Running is not null, "the ticker running"))[0].Metadata.Name;
            await Poll.UntilAsync(async () => (await LogAsync(first, pod)).Contains("tick 3\n", StringComparison.Ordinal), "three ticks");
            lastSeen = Ticks(await LogAsync(first, pod)).Last();
            await first.StopAsync("KILL");
        }

        // With no gateway at all for a while, the container goes on ticking into its file.
        var down = Stopwatch.StartNew();
        await using var second = await GatewayProcess.StartAsync(Ticker, directory);
        await second.WaitForPodsAsync(p => p.Count == 1 && p[0].Metadata.Name == pod, "the ticker adopted");
        var ticks = Ticks(await LogAsync(second, pod));
        var missedWhileDown = (int)(down.Elapsed.TotalSeconds * 5); // at least half the ticks of the time down
        Assert.Equal(Enumerable.Range(1, ticks.Count), ticks); // none lost, none twice
        Assert.True(ticks.Count > lastSeen + missedWhileDown, $"the log has {ticks.Count} ticks; {lastSeen} were seen before the SIGKILL and about {missedWhileDown * 2} ticked while no gateway ran");

        // And it goes on under the new gateway.
        await Poll.UntilAsync(async () => Ticks(await LogAsync(second, pod)).Count > ticks.Count, "a tick under the new gateway");
    }

    private static List<int> Ticks(string log) =>
        [.. log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l["tick ".Length..], CultureInfo.InvariantCulture))];

    [Fact]
    public async Task KeepPodsOnShutdown_leaves_the_pods_on_SIGTERM_and_the_next_gateway_adopts_them()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-adopt-").FullName;
        Seen before;
        await using (var first = await GatewayProcess.StartAsync(Web(1), directory, gatewayJson: "\"KeepPodsOnShutdown\": true"))
        {
            before = SeenOf((await first.WaitForPodsAsync(p => AllReady(p, 1), "a ready pod"))[0]);
            Assert.Equal(0, await first.StopAsync("TERM"));
            Assert.Contains("leaving 1 pods running", first.Output, StringComparison.Ordinal);
        }

        Assert.True(GatewayProcess.IsAlive(before.Pid), "the pod's process ended with a gateway told to keep it");
        await using var second = await GatewayProcess.StartAsync(Web(1), directory);
        var adopted = await second.WaitForPodsAsync(p => AllReady(p, 1), "the pod adopted and ready");
        Assert.Equal(before, SeenOf(adopted[0]));
        Assert.Equal(HttpStatusCode.OK, (await second.Proxy.GetAsync("/")).StatusCode);
    }

    [SkippableFact]
    public async Task A_pod_with_a_network_of_its_own_is_adopted_in_it_and_answers_through_the_next_gateway()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess && File.Exists("/usr/bin/unshare") && File.Exists("/usr/bin/nsenter"), "Pod network mode needs root and util-linux");
        var directory = Directory.CreateTempSubdirectory("gateway-adopt-").FullName;
        Seen before;
        await using (var first = await GatewayProcess.StartAsync(Web(1), directory, gatewayJson: "\"KeepPodsOnShutdown\": true, \"PodNetwork\": \"Pod\""))
        {
            var pod = (await first.WaitForPodsAsync(p => AllReady(p, 1), "a ready pod"))[0];
            Assert.StartsWith("127.1.", pod.Status.PodIP, StringComparison.Ordinal);
            before = SeenOf(pod);
            Assert.Equal(0, await first.StopAsync("TERM"));
        }

        await using var second = await GatewayProcess.StartAsync(Web(1), directory, gatewayJson: "\"PodNetwork\": \"Pod\"");
        var adopted = await second.WaitForPodsAsync(p => AllReady(p, 1), "the pod adopted and ready: probed in its namespace");
        Assert.Equal(before, SeenOf(adopted[0]));
        Assert.StartsWith("127.1.", adopted[0].Status.PodIP, StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await second.Proxy.GetAsync("/")).StatusCode);
        }
    }

    [Fact]
    public async Task A_record_whose_pid_is_now_another_process_is_not_adopted_and_that_process_is_not_signalled()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-adopt-").FullName;
        Seen before;
        await using (var first = await GatewayProcess.StartAsync(Web(1), directory))
        {
            before = SeenOf((await first.WaitForPodsAsync(p => AllReady(p, 1), "a ready pod"))[0]);
            await first.StopAsync("KILL");
        }

        // The pod's processes end, and an unrelated one comes to hold the pid its record names (as a
        // reused pid would): same pid, another start time.
        using var unrelated = Process.Start("sleep", "60");
        try
        {
            var recordFile = Path.Combine(directory, "state", "process-pods", before.Uid + ".json");
            var record = JsonNode.Parse(await File.ReadAllTextAsync(recordFile))!;
            foreach (var container in record["Containers"]!.AsArray())
            {
                GatewayProcess.Signal(container!["AppPid"]!.GetValue<int>(), "KILL"); // its monitor ends after it
                container["AppPid"] = unrelated.Id;
                container["MonitorPid"] = unrelated.Id;
                container["AppStartTime"] = "1";
                container["MonitorStartTime"] = "1";
            }

            await File.WriteAllTextAsync(recordFile, record.ToJsonString());
            await Poll.UntilAsync(() => Task.FromResult(!GatewayProcess.IsAlive(before.Pid)), "the pod's process gone");

            await using var second = await GatewayProcess.StartAsync(Web(1), directory);
            var pods = await second.WaitForPodsAsync(p => AllReady(p, 1), "a new ready pod");
            Assert.NotEqual(before.Name, pods[0].Metadata.Name);
            Assert.NotEqual(before.Uid, pods[0].Metadata.Uid);
            Assert.False(unrelated.HasExited, "the unrelated process with the recorded pid was killed");
            Assert.False(File.Exists(recordFile), "the record of a pod that is gone was kept");
        }
        finally
        {
            unrelated.Kill();
        }
    }
}
