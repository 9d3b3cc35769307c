using System.Net;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>docs/semantics.md on real processes: probes, restarts, back-off, phase, readiness-gated routing.</summary>
public sealed class KubeletSemanticsTests
{
    private static V1ContainerStatus Container(V1Pod pod, string name = "web") => pod.Status.ContainerStatuses.Single(c => c.Name == name);

    private static string Demo(string name, string args, string probes, string extraPorts = "") => "{" + Service(name, args, probes, extraPorts) + "}";

    private static string Service(string name, string args, string probes, string extraPorts = "", string? path = null) =>
        DemoService.Member(name, args: args, probes: probes, gracePeriodSeconds: 3, extraPorts: extraPorts, path: path);

    private static async Task<string> WriteManifestAsync(string yaml, string file = "pod.yaml", string? directory = null)
    {
        directory ??= Directory.CreateTempSubdirectory("gateway-manifest-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, file), yaml);
        return directory;
    }

    /// <summary>How many times <paramref name="pod"/>'s <paramref name="kind"/> probe has failed, from its folded Unhealthy events.</summary>
    private static async Task<int> ProbeFailuresAsync(GatewayProcess gateway, string pod, string kind) =>
        (await gateway.GetEventsAsync())
            .Where(e => e.InvolvedObject.Name == pod && e.Reason == "Unhealthy" && e.Message.StartsWith($"{kind} probe failed:", StringComparison.Ordinal))
            .Sum(e => e.Count ?? 1);

    /// <summary>Waits until <paramref name="pod"/>'s <paramref name="kind"/> probe has failed <paramref name="count"/> times: the probe ran and its failure had every chance to act.</summary>
    private static Task UntilProbeFailuresAsync(GatewayProcess gateway, string pod, string kind, int count) =>
        Poll.UntilAsync(async () => await ProbeFailuresAsync(gateway, pod, kind) >= count, $"{count} failed {kind} probes of {pod}\n{gateway.Output}", TimeSpan.FromSeconds(20));

    [Fact]
    public async Task SeedPod_WithShortenedDelays_RestartsOnceAndStaysRunning()
    {
        // config/examples/liveness-exec.yaml with its delays shortened; the file path is relative to
        // the container's own working folder on the Process runtime.
        var seed = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "config", "examples", "liveness-exec.yaml"));
        var shortened = seed
            .Replace("touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 600", "touch healthy; sleep 3; rm -rf healthy; sleep 600", StringComparison.Ordinal)
            .Replace("- /tmp/healthy", "- healthy", StringComparison.Ordinal)
            .Replace("initialDelaySeconds: 5", "initialDelaySeconds: 1", StringComparison.Ordinal)
            .Replace("periodSeconds: 5", "periodSeconds: 1", StringComparison.Ordinal);
        Assert.NotEqual(seed, shortened);
        var directory = await WriteManifestAsync(shortened);

        await using var gateway = await GatewayProcess.StartAsync("""{ "seed": { "Manifest": "pod.yaml" } }""", directory);
        var running = await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "liveness").State.Running is not null, "the seed pod running");
        Assert.Equal("test-liveness-exec", running[0].Metadata.Name);
        Assert.Equal(0, Container(running[0], "liveness").RestartCount);

        var restarted = await gateway.WaitForPodsAsync(p => Container(p[0], "liveness").RestartCount == 1 && Container(p[0], "liveness").State.Running is not null,
            "restartCount 1", TimeSpan.FromSeconds(40));

        Assert.Equal("Running", restarted[0].Status.Phase);
        // The real exit code: sh ends on the SIGTERM (143). Under Docker the seed's sh is PID 1, ignores SIGTERM, and SIGKILL gives 137.
        Assert.Equal(143, Container(restarted[0], "liveness").LastState.Terminated.ExitCode);
        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message.StartsWith("Liveness probe failed: cat:", StringComparison.Ordinal) && e.Message.Contains("healthy", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container liveness failed liveness probe, will be restarted");
        // The Started event of the new instance may be recorded just after the pod list shows it running.
        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Single(e => e.Reason == "Started").Count == 2, "the Started event counted twice");
    }

    [Fact]
    public async Task HealthyFor_UnderHttpGetLiveness_RestartsWithAGrowingBackOffAndRestartCountNeverDrops()
    {
        await using var gateway = await GatewayProcess.StartAsync(Demo("web", "\"--healthy-for\", \"1\"",
            """ "livenessProbe": { "httpGet": { "path": "/healthz", "port": "http" }, "initialDelaySeconds": 1, "periodSeconds": 1, "failureThreshold": 1 } """));

        var counts = new List<int>();
        var sawBackOff = false;
        V1Pod? pod = null;
        await Poll.UntilAsync(async () =>
        {
            pod = (await gateway.GetPodsAsync()).Items.Single();
            var c = Container(pod);
            counts.Add(c.RestartCount);
            sawBackOff |= c.State.Waiting?.Reason == "CrashLoopBackOff";
            return c.RestartCount >= 3 && c.State.Running is not null;
        }, "three restarts", TimeSpan.FromSeconds(60));

        Assert.Equal(counts.Order(), counts);
        Assert.True(sawBackOff, "the container never showed Waiting/CrashLoopBackOff");
        var web = Container(pod!);
        var waited = web.State.Running.StartedAt!.Value - web.LastState.Terminated.FinishedAt!.Value;
        // Liveness kills: the kubelet measures each restart from the dead instance before the killed one,
        // so the first two restart at once (none before; no back-off yet) and the third waits 10 s from its kill.
        Assert.True(waited >= TimeSpan.FromSeconds(9.5), $"the third restart came {waited} after the exit; the back-off is 10 s");
        Assert.Equal("Running", pod!.Status.Phase);
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "BackOff" && e.Type == "Warning");
    }

    [Fact]
    public async Task ReadinessThatNeverPasses_PodGetsNoRequestAndNeverRestarts()
    {
        await using var gateway = await GatewayProcess.StartAsync(Demo("web", "\"--ready-after\", \"1000\"",
            """ "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1, "failureThreshold": 1 } """));
        var name = (await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0]).State.Running is not null, "a running pod"))[0].Metadata.Name;

        // Requests all along, until the readiness probe has failed four times at a threshold of 1:
        // four chances for a failed readiness probe to send the pod a request or to restart it.
        await Poll.UntilAsync(async () =>
        {
            using var response = await gateway.Proxy.GetAsync("/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            return await ProbeFailuresAsync(gateway, name, "Readiness") >= 4;
        }, "four failed readiness probes", TimeSpan.FromSeconds(20));

        var pod = (await gateway.GetPodsAsync()).Items.Single();
        Assert.Equal(name, pod.Metadata.Name);
        Assert.Equal(0, Container(pod).RestartCount);
        Assert.False(Container(pod).Ready);
        Assert.Equal("False", pod.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Message.StartsWith("Readiness probe failed: HTTP probe failed with statuscode: 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadyAfter_NewPodGetsNoRequestBeforeItsFirstReadinessSuccess()
    {
        await using var gateway = await GatewayProcess.StartAsync(Demo("web", "\"--ready-after\", \"3\"",
            """ "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 } """));
        await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0]).State.Running is not null, "a running pod");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Proxy.GetAsync("/")).StatusCode);

        await gateway.WaitForPodsAsync(p => Container(p[0]).Ready == true, "the pod ready");

        // Routing follows the pod's state as it is published, a moment after the pod list shows it.
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).StatusCode == HttpStatusCode.OK, "the ready pod routed");

        // Turning unready takes it out of rotation.
        var port = (await gateway.GetPodsAsync()).Items[0].Spec.Containers[0].Ports[0].HostPort;
        using var direct = new HttpClient();
        await direct.PostAsync($"http://127.0.0.1:{port}/admin/fail-readiness", null);
        await gateway.WaitForPodsAsync(p => Container(p[0]).Ready == false, "the pod unready");
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).StatusCode == HttpStatusCode.ServiceUnavailable, "the unready pod out of rotation");
    }

    [Fact]
    public async Task RestartPolicyNever_FailingContainer_PodFailedStaysWithItsLogs_ReplacementsBackOff()
    {
        await using var gateway = await GatewayProcess.StartAsync("""
            { "job": { "Replicas": 1, "Template": { "spec": { "restartPolicy": "Never",
                "containers": [ { "name": "main", "command": [ "sh", "-c", "echo working in $POD_NAME; sleep 1; exit 3" ] } ] } } } }
            """);

        // The first pod fails at once and is replaced at once; the replacement fails too.
        var pods = await gateway.WaitForPodsAsync(p => p.Count(x => x.Status.Phase == "Failed") >= 2, "two failed pods", TimeSpan.FromSeconds(30));
        var failed = pods.Where(p => p.Status.Phase == "Failed").OrderBy(p => p.Status.ContainerStatuses[0].State.Terminated.FinishedAt).ToList();
        var first = failed[0];
        var terminated = first.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal((3, "Error"), (terminated.ExitCode, terminated.Reason));
        Assert.Contains(first.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "PodFailed");
        var log = await gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{first.Metadata.Name}/log");
        Assert.Contains($"working in {first.Metadata.Name}", log, StringComparison.Ordinal);

        // The second failure holds the next replacement 10 s, and the ReplicaSet's event says so.
        var secondEnded = failed[1].Status.ContainerStatuses[0].State.Terminated.FinishedAt!.Value;
        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e.InvolvedObject.Kind == "ReplicaSet" && e.Reason == "BackOff"
            && e.Message.Contains($"creating a replacement for pod {failed[1].Metadata.Name} (Failed)", StringComparison.Ordinal)), "the BackOff event", TimeSpan.FromSeconds(10));
        var third = (await gateway.WaitForPodsAsync(p => p.Count >= 3, "the third pod", TimeSpan.FromSeconds(30)))
            .Single(p => p.Metadata.Name != first.Metadata.Name && p.Metadata.Name != failed[1].Metadata.Name);
        Assert.True(third.Metadata.CreationTimestamp >= secondEnded.AddSeconds(9), $"created {third.Metadata.CreationTimestamp:O}, the pod before ended {secondEnded:O}");

        // The log of the first is still readable after its replacements exist.
        Assert.Contains("working in", await gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{first.Metadata.Name}/log"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Never", "exit 3", "Failed", 3)]
    [InlineData("OnFailure", "exit 0", "Succeeded", 0)]
    [InlineData("Never", "exit 0", "Succeeded", 0)]
    public async Task BarePod_EndsInItsTerminalPhaseAndStaysThere(string restartPolicy, string script, string phase, int exitCode)
    {
        static string Manifest(string name, string restartPolicy, string command) => $$"""
            apiVersion: v1
            kind: Pod
            metadata: { name: {{name}} }
            spec:
              restartPolicy: {{restartPolicy}}
              containers:
              - name: main
                command: [ "sh", "-c", "{{command}}" ]
            """;

        // A control pod runs the same script a second later under Always: once it has been restarted,
        // the gateway has had its chance to restart "once" too.
        var directory = await WriteManifestAsync(Manifest("once", restartPolicy, $"sleep 1; {script}"));
        await WriteManifestAsync(Manifest("control", "Always", $"sleep 2; {script}"), "control.yaml", directory);
        await using var gateway = await GatewayProcess.StartAsync("""{ "once": { "Manifest": "pod.yaml" }, "control": { "Manifest": "control.yaml", "Route": { "Path": "/control/{**rest}" } } }""", directory);

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.Single(x => x.Metadata.Name == "once").Status.Phase == phase, $"phase {phase}");
        var once = Container(pods.Single(x => x.Metadata.Name == "once"), "main");
        Assert.Equal(exitCode, once.State.Terminated.ExitCode);
        Assert.Equal(0, once.RestartCount);

        await gateway.WaitForPodsAsync(p => Container(p.Single(x => x.Metadata.Name == "control"), "main") is { RestartCount: >= 1 } control
            && control.LastState.Terminated.FinishedAt >= once.State.Terminated.FinishedAt, "the control pod restarted after an exit no earlier than once's", TimeSpan.FromSeconds(30));
        var later = await gateway.GetPodAsync("once");
        Assert.Equal(phase, later!.Status.Phase);
        Assert.Equal(0, Container(later, "main").RestartCount);
        Assert.Equal(exitCode, Container(later, "main").State.Terminated.ExitCode);
    }

    [Fact]
    public async Task TwoContainers_OneFailedUnderNever_PodStaysRunning()
    {
        await using var gateway = await GatewayProcess.StartAsync("""
            { "pair": { "Replicas": 1, "Template": { "spec": { "restartPolicy": "Never",
                "containers": [
                  { "name": "fails", "command": [ "sh", "-c", "exit 1" ] },
                  { "name": "runs", "command": [ "sleep", "600" ] } ] } } } }
            """);

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "fails").State.Terminated is not null, "the failing container terminated");

        Assert.Equal(1, Container(pods[0], "fails").State.Terminated.ExitCode);
        Assert.NotNull(Container(pods[0], "runs").State.Running);
        Assert.Equal("Running", pods[0].Status.Phase);
        Assert.Equal("False", pods[0].Status.Conditions.Single(c => c.Type == "ContainersReady").Status);
    }

    [Fact]
    public async Task TcpSocketReadiness_PassesOnAListeningPortAndFailsOnAClosedOne()
    {
        await using var gateway = await GatewayProcess.StartAsync("{"
            + Service("open", "", """ "readinessProbe": { "tcpSocket": { "port": "http" }, "periodSeconds": 1 } """) + ","
            + Service("closed", "", """ "readinessProbe": { "tcpSocket": { "port": "unused" }, "periodSeconds": 1 } """, extraPorts: """, { "name": "unused", "containerPort": 9999 }""", path: "/closed/{**rest}")
            + "}");

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.Any(x => x.Metadata.Labels["app"] == "open" && Container(x).Ready == true), "the open pod ready");
        var name = pods.Single(x => x.Metadata.Labels["app"] == "closed").Metadata.Name;

        // A readiness result starts as failure: not ready proves nothing until the probe has run and failed.
        await UntilProbeFailuresAsync(gateway, name, "Readiness", 3);
        var closed = (await gateway.GetPodsAsync()).Items.Single(x => x.Metadata.Name == name);
        Assert.False(Container(closed).Ready);
        Assert.NotNull(Container(closed).State.Running);
        Assert.Contains(await gateway.GetEventsAsync(), e => e.InvolvedObject.Name == name && e.Message.StartsWith("Readiness probe failed: dial tcp", StringComparison.Ordinal)
            && e.Message.EndsWith("connection refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GrpcProbes_ServingIsReady_NotServingFailsLivenessAndRestarts()
    {
        await using var gateway = await GatewayProcess.StartAsync(Demo("web", "\"--grpc-port\", \"$(PORT_GRPC)\"", """
            "readinessProbe": { "grpc": { "port": 9000 }, "periodSeconds": 1 },
            "livenessProbe": { "grpc": { "port": 9000, "service": "demo" }, "initialDelaySeconds": 2, "periodSeconds": 1, "failureThreshold": 1 }
            """, extraPorts: """, { "name": "grpc", "containerPort": 9000 }"""));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0]).Ready == true, "the pod ready through grpc");

        using var direct = new HttpClient();
        await direct.PostAsync($"http://127.0.0.1:{pods[0].Spec.Containers[0].Ports[0].HostPort}/admin/fail-liveness", null);

        await gateway.WaitForPodsAsync(p => Container(p[0]).RestartCount == 1 && Container(p[0]).Ready == true, "a restart after NOT_SERVING");
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "Unhealthy" && e.Message.Contains("NOT_SERVING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadinessGate_PodIsReadyOnlyOnceTheConditionIsSet()
    {
        await using var gateway = await GatewayProcess.StartAsync($$"""
            { "web": { "Template": { "spec": {
                "readinessGates": [ { "conditionType": "example.com/lb" } ],
                "containers": [ { "name": "web", "command": [ "dotnet", {{GatewayProcess.DemoDll}} ], "ports": [ { "containerPort": 8080 } ],
                  "readinessProbe": { "httpGet": { "path": "/readyz", "port": 8080 }, "periodSeconds": 1 } } ] } } } }
            """);
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0]).Ready == true, "containers ready"))[0];
        Assert.Equal("False", pod.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Proxy.GetAsync("/")).StatusCode);

        using var patch = new StringContent("""{"status":{"conditions":[{"type":"example.com/lb","status":"True"}]}}""", Encoding.UTF8, "application/merge-patch+json");
        var response = await gateway.Admin.PatchAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/status", patch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.WaitForPodsAsync(p => p[0].Status.Conditions.Single(c => c.Type == "Ready").Status == "True", "the Ready condition");
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).StatusCode == HttpStatusCode.OK, "the ready pod routed");
    }
}
