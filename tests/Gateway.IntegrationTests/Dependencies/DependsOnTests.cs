using Gateway.IntegrationTests.Admin;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Dependencies;

/// <summary>Services that wait for each other, on the Process runtime with real demo backends: the gate, a Job, each Propagate mode, cycles, shutdown order.</summary>
public sealed class DependsOnTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] AllFour = ["db", "plain", "gated", "restarted"];

    /// <summary>A demo-backend service with <paramref name="fields"/> (e.g. <c>"DependsOn": { ... },</c>) before its Replicas.</summary>
    private static string Service(string name, string fields = "", string args = "", string? path = null) =>
        ReplaceFirst(DemoService.Member(name, args: args, gracePeriodSeconds: 2, path: path), "\"Replicas\":", $"{fields} \"Replicas\":");

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        return text[..at] + with + text[(at + what.Length)..];
    }

    private static bool IsWaiting(V1Pod pod) => pod.Status.Phase == "Pending"
        && pod.Status.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "DependenciesNotReady" }) == true;

    private static bool IsReady(V1Pod pod) => pod.Status.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    private static V1Pod? Of(IList<V1Pod> pods, string service) => pods.FirstOrDefault(p => p.Metadata.Labels.TryGetValue("app", out var app) && app == service && p.Metadata.DeletionTimestamp is null);

    private static DateTime Transition(V1Pod pod, string type) => pod.Status.Conditions.Single(c => c.Type == type).LastTransitionTime!.Value;

    [Fact]
    public async Task WebWaitsForDbReady_PendingUntilThen_ThenRuns_AndStopsBeforeDb()
    {
        var services = DemoService.Services(
            Service("db", args: "\"--ready-after\", \"3\"", path: "/db"),
            Service("web", fields: "\"DependsOn\": { \"db\": \"Ready\" },"));
        var gateway = await GatewayProcess.StartAsync(services);
        await using var _ = gateway;

        // While db is not Ready, web's pod exists only as Pending, waiting, and says for what.
        var early = await gateway.WaitForPodsAsync(p => Of(p, "web") is { } web && IsWaiting(web) && Of(p, "db") is { } db && !IsReady(db), "web Pending (DependenciesNotReady) while db is not Ready", Wait);
        var waiting = Of(early, "web")!;
        Assert.Equal("waiting for db to be Ready", waiting.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.Null(waiting.Spec.NodeName);
        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.InvolvedObject.Name == waiting.Metadata.Name && e is { Type: "Normal", Reason: "WaitingForDependencies", Message: "waiting for db to be Ready" });

        var later = await gateway.WaitForPodsAsync(p => Of(p, "web") is { } web && IsReady(web), "web Running and Ready", Wait);
        var (webPod, dbPod) = (Of(later, "web")!, Of(later, "db")!);
        Assert.Equal(waiting.Metadata.Name, webPod.Metadata.Name);
        Assert.Equal("Running", webPod.Status.Phase);
        Assert.True(Transition(webPod, "PodScheduled") >= Transition(dbPod, "Ready"), "web's pod was scheduled before db was Ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);

        Assert.Equal(0, await gateway.StopAsync());
        var output = gateway.Output;
        var webStopped = output.IndexOf("shutdown: stopped web", StringComparison.Ordinal);
        var dbStopping = output.IndexOf("shutdown: stopping db", StringComparison.Ordinal);
        Assert.True(webStopped >= 0 && dbStopping > webStopped, $"web must be stopped (drained) before db is stopped:\n{output}");
    }

    [Fact]
    public async Task MigrationJob_GatesWebUntilSucceeded_AndIsServedAsABatchV1Job()
    {
        const string migrate = """
            "migrate": { "Job": { "BackoffLimit": 1 }, "Template": { "spec": { "restartPolicy": "Never", "containers": [
              { "name": "migrate", "command": [ "sh", "-c", "sleep 1; exit 0" ] } ] } } }
            """;
        var gateway = await GatewayProcess.StartAsync(DemoService.Services(migrate, Service("web", fields: "\"DependsOn\": { \"migrate\": \"Succeeded\" },")));
        await using var _ = gateway;

        await gateway.WaitForPodsAsync(p => Of(p, "web") is { } web && IsWaiting(web) && p.Any(x => x.Metadata.Name.StartsWith("migrate-", StringComparison.Ordinal) && x.Status.Phase is "Running" or "Pending"),
            "web waiting while migrate runs", Wait);
        var pods = await gateway.WaitForPodsAsync(p => Of(p, "web") is { } web && IsReady(web), "web Ready after migrate succeeded", Wait);
        var job = pods.Single(p => p.Metadata.Name.StartsWith("migrate-", StringComparison.Ordinal));
        Assert.Equal("Succeeded", job.Status.Phase);
        Assert.Equal("Job", job.Metadata.OwnerReferences.Single().Kind);
        Assert.True(Transition(Of(pods, "web")!, "PodScheduled") >= job.Status.ContainerStatuses[0].State.Terminated.FinishedAt!.Value.AddSeconds(-1));

        // Not recreated after Succeeded, and not routed: "/" is web's.
        Assert.Single(pods, p => p.Metadata.Name.StartsWith("migrate-", StringComparison.Ordinal));
        var table = await Kubectl.RunAsync(gateway.Kubeconfig, "get", "jobs");
        Assert.Matches(@"NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s*\nmigrate\s+Complete\s+1/1\s+\d+s\s+\d+s", table);
        Assert.Contains("job.batch/migrate condition met", await Kubectl.RunAsync(gateway.Kubeconfig, "wait", "--for=condition=complete", "job/migrate", "--timeout=10s"), StringComparison.Ordinal);
        var json = await gateway.Admin.GetStringAsync("/apis/batch/v1/namespaces/default/jobs/migrate");
        Assert.Contains("\"type\":\"Complete\"", json, StringComparison.Ordinal);
        Assert.Contains("\"succeeded\":1", json, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"batch\"", await Kubectl.RunAsync(gateway.Kubeconfig, "get", "--raw", "/apis"), StringComparison.Ordinal);
        Assert.DoesNotContain("web", await Kubectl.RunAsync(gateway.Kubeconfig, "get", "jobs", "-o", "name"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingJob_RecreatedUntilBackoffLimit_ThenFailedWithBackoffLimitExceeded()
    {
        const string migrate = """
            "migrate": { "Job": { "BackoffLimit": 1 }, "Template": { "spec": { "restartPolicy": "Never", "containers": [
              { "name": "migrate", "command": [ "sh", "-c", "exit 3" ] } ] } } }
            """;
        var gateway = await GatewayProcess.StartAsync(DemoService.Services(migrate));
        await using var _ = gateway;

        await Poll.UntilAsync(async () => (await gateway.Admin.GetStringAsync("/apis/batch/v1/namespaces/default/jobs/migrate")).Contains("\"reason\":\"BackoffLimitExceeded\"", StringComparison.Ordinal),
            "the Job Failed with BackoffLimitExceeded", Wait);
        var pods = await gateway.GetPodsAsync();
        Assert.Equal(2, pods.Items.Count(p => p.Status.Phase == "Failed"));
        Assert.Matches(@"migrate\s+Failed\s+0/1", await Kubectl.RunAsync(gateway.Kubeconfig, "get", "jobs"));
    }

    /// <summary>One db, three dependents, one for each Propagate mode; db's readiness is made to fail and then recovers.</summary>
    [Fact]
    public async Task DbStopsBeingReady_NoneRunsOn_ReadinessLeavesRouting_RestartRecreatesOnceBack()
    {
        var gateway = await GatewayProcess.StartAsync(DemoService.Services(
            Service("db", path: "/db"),
            Service("plain", fields: "\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Propagate\": \"None\" } },", path: "/plain"),
            Service("gated", fields: "\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Propagate\": \"Readiness\" } },", path: "/gated"),
            Service("restarted", fields: "\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Replicas\": \"All\", \"Propagate\": \"Restart\" } },", path: "/restarted")));
        await using var _ = gateway;
        var before = await gateway.WaitForPodsAsync(p => AllFour.All(s => Of(p, s) is { } pod && IsReady(pod)), "every service Ready", Wait);
        var gatedPod = Of(before, "gated")!;
        Assert.Contains(gatedPod.Spec.ReadinessGates, g => g.ConditionType == "gateway.io/dependencies-ready");
        using var db = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Of(before, "db")!.Spec.Containers[0].Ports[0].HostPort}") };

        (await db.PostAsync("/admin/fail-readiness", null)).EnsureSuccessStatusCode();

        var down = await gateway.WaitForPodsAsync(p => Of(p, "db") is { } d && !IsReady(d) && Of(p, "gated") is { } g && !IsReady(g), "db and gated not Ready", Wait);
        var gate = Of(down, "gated")!.Status.Conditions.Single(c => c.Type == "gateway.io/dependencies-ready");
        Assert.Equal(("False", "DependencyNotReady"), (gate.Status, gate.Reason));
        Assert.Contains("db to be Ready", gate.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await gateway.Proxy.GetAsync("/gated")).StatusCode);
        Assert.True(IsReady(Of(down, "plain")!), "Propagate None: plain stays Ready");
        Assert.Equal(Of(before, "restarted")!.Metadata.Name, Of(down, "restarted")!.Metadata.Name);

        (await db.PostAsync("/admin/recover", null)).EnsureSuccessStatusCode();

        var after = await gateway.WaitForPodsAsync(p => Of(p, "gated") is { } g && IsReady(g) && Of(p, "restarted") is { } r && IsReady(r) && r.Metadata.Name != Of(before, "restarted")!.Metadata.Name,
            "gated Ready again and restarted recreated", Wait);
        Assert.Equal(gatedPod.Metadata.Name, Of(after, "gated")!.Metadata.Name);
        Assert.Equal(Of(before, "plain")!.Metadata.Name, Of(after, "plain")!.Metadata.Name);
        // Routed to the backend again (which has no /gated of its own), no longer the gateway's 503.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await gateway.Proxy.GetAsync("/gated")).StatusCode);
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "DependencyRestart" && e.InvolvedObject.Name == Of(before, "restarted")!.Metadata.Name);
    }

    [Fact]
    public async Task Cycle_RefusedAtStart_WithItsPathOnOneLine()
    {
        var settings = Path.Combine(Directory.CreateTempSubdirectory("gateway-cycle-").FullName, "appsettings.json");
        await File.WriteAllTextAsync(settings, GatewayProcess.Settings(DemoService.Services(
            Service("web", fields: "\"DependsOn\": { \"api\": \"Ready\" },"),
            Service("api", fields: "\"DependsOn\": { \"web\": \"Started\" },", path: "/api")), FreePort.Get(), FreePort.Get()));

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("--config", settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(output.Split('\n'), line => line.Contains("Gateway:Services:api:DependsOn:web: Invalid value: \"web\": dependency cycle: api -> web -> api", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
