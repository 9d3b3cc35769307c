using System.Diagnostics;
using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Docker;

/// <summary>
/// <c>Runtime: Docker</c> on a real engine with no registry: tests/docker/setup.sh starts one and imports
/// busybox:local (also tagged busybox:latest) from the host's static busybox. Without an engine these
/// skip with the reason, unless GATEWAY_REQUIRE_DOCKER=1, where they fail.
/// </summary>
public sealed class DockerRuntimeTests
{
    private const string ServiceLabel = "io.gateway.service";

    private static V1ContainerStatus Container(V1Pod pod, string name) => pod.Status.ContainerStatuses.Single(c => c.Name == name);

    /// <summary>A web server from busybox alone: httpd on the injected $PORT, serving /healthz and a greeting.</summary>
    private static string Web(string name, int replicas = 1, string extra = "") => $$"""
        {
          "{{name}}": {
            "Runtime": "Docker",
            "Replicas": {{replicas}},
            "Template": { "spec": {
              "terminationGracePeriodSeconds": 5,
              "containers": [ {
                "name": "web",
                "image": "busybox:local",
                "command": [ "sh", "-c" ],
                "args": [ "mkdir -p /tmp/www && echo ok > /tmp/www/healthz && echo \"hello from $POD_NAME\" > /tmp/www/index.html && exec httpd -f -p \"$PORT\" -h /tmp/www" ],
                "ports": [ { "name": "http", "containerPort": 8080 } ],
                "resources": { "limits": { "memory": "64Mi", "cpu": "500m" } },
                "readinessProbe": { "httpGet": { "path": "/healthz", "port": "http" }, "periodSeconds": 1 },
                "livenessProbe": { "httpGet": { "path": "/healthz", "port": "http" }, "periodSeconds": 2 }
                {{extra}}
              } ] } } }
        }
        """;

    [SkippableFact]
    public async Task SeedPod_Unmodified_RestartsAfterItsLivenessFailsWithAFreshFilesystem()
    {
        DockerEngine.RequireOrSkip();
        var directory = Directory.CreateTempSubdirectory("gateway-docker-seed-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "config", "examples", "liveness-exec.yaml"), Path.Combine(directory, "liveness-exec.yaml"));
        await using var gateway = await GatewayProcess.StartAsync("""{ "seed": { "Runtime": "Docker", "Manifest": "liveness-exec.yaml" } }""", directory);

        var running = await gateway.WaitForPodsAsync(p => p.Count == 1 && Container(p[0], "liveness").State.Running is not null, "the seed pod running");
        var clock = Stopwatch.StartNew();
        var first = Container(running[0], "liveness");
        Assert.Equal("test-liveness-exec", running[0].Metadata.Name);
        Assert.Equal(0, first.RestartCount);
        var firstId = DockerEngine.IdOf(first);
        Assert.Equal(0, DockerEngine.Run("exec", firstId, "touch", "/tmp/written-by-the-test").ExitCode);

        var restarted = await gateway.WaitForPodsAsync(p => Container(p[0], "liveness").RestartCount == 1 && Container(p[0], "liveness").State.Running is not null,
            "restartCount 1", TimeSpan.FromSeconds(90));
        var elapsed = clock.Elapsed;

        // Healthy for 30 s, then three failed probes 5 s apart: the kubelet restarts it at about 35-50 s.
        Assert.InRange(elapsed.TotalSeconds, 30, 55);
        var pod = restarted[0];
        var second = Container(pod, "liveness");
        Assert.Equal("Running", pod.Status.Phase);
        // The exit code Docker saw: the container runs under Docker's init (HostConfig.Init), which passes
        // SIGTERM on to the shell, so it ends on the stop signal (143), not on SIGKILL at the grace's end.
        Assert.Equal(143, second.LastState.Terminated.ExitCode);
        var secondId = DockerEngine.IdOf(second);
        Assert.NotEqual(firstId, secondId);
        Assert.Equal([secondId], DockerEngine.Containers("io.gateway.pod", "test-liveness-exec"));
        Assert.NotEqual(0, DockerEngine.Run("exec", secondId, "test", "-e", "/tmp/written-by-the-test").ExitCode);

        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory");
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container liveness failed liveness probe, will be restarted");
        Assert.Equal(2, events.Single(e => e.Reason == "Created").Count);
        Assert.Equal(2, events.Single(e => e.Reason == "Started").Count);
    }

    [SkippableFact]
    public async Task WebContainer_HttpGetProbed_ServesTrafficThroughTheGatewayWithItsLimits()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync(Web("dweb"));

        var pods = await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the web pod ready");
        var body = await gateway.Proxy.GetStringAsync("/index.html");
        Assert.Equal($"hello from {pods[0].Metadata.Name}\n", body);

        var id = DockerEngine.IdOf(Container(pods[0], "web"));
        Assert.Equal([id], DockerEngine.Containers(ServiceLabel, "dweb"));
        var (_, inspect) = DockerEngine.Run("inspect", "-f", "{{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{index .Config.Labels \"io.gateway.pod\"}}", id);
        Assert.Equal($"host 67108864 500000000 {pods[0].Metadata.Name}", inspect.Trim());

        await gateway.StopAsync();
        Assert.Empty(DockerEngine.Containers(ServiceLabel, "dweb"));
    }

    [SkippableFact]
    public async Task MissingImage_NoRegistry_WaitsWithErrImagePullThenImagePullBackOff()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync("""
            { "nope": { "Runtime": "Docker", "Template": { "spec": { "containers": [ { "name": "app", "image": "gateway-test/missing:1" } ] } } } }
            """);

        var reasons = new HashSet<string>();
        await gateway.WaitForPodsAsync(p =>
        {
            if (p.Count == 1 && Container(p[0], "app").State.Waiting?.Reason is { } reason)
            {
                reasons.Add(reason);
            }

            return reasons.Contains("ImagePullBackOff");
        }, "ImagePullBackOff");

        var pod = (await gateway.GetPodsAsync()).Items.Single();
        Assert.Contains("ErrImagePull", reasons);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal(0, Container(pod, "app").RestartCount);
        Assert.Null(Container(pod, "app").LastState.Terminated);
        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Failed" && e.Message.StartsWith("Failed to pull image \"gateway-test/missing:1\": ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == "Warning" && e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
        Assert.Contains(events, e => e.Reason == "BackOff" && e.Message == "Back-off pulling image \"gateway-test/missing:1\"");
        Assert.Empty(DockerEngine.Containers(ServiceLabel, "nope"));
    }

    /// <summary>Gateway:KeepPodsOnShutdown, and Docker's own KeepContainersOnShutdown, its deprecated alias.</summary>
    [SkippableTheory]
    [InlineData(""" "KeepPodsOnShutdown": true """)]
    [InlineData(""" "Docker": { "KeepContainersOnShutdown": true } """)]
    public async Task GatewayRestart_KeepingContainers_AdoptsThePodWithoutASecondContainer(string keep)
    {
        DockerEngine.RequireOrSkip();
        var directory = Directory.CreateTempSubdirectory("gateway-docker-adopt-").FullName;
        V1Pod before;
        await using (var first = await GatewayProcess.StartAsync(Web("adopt"), directory, keep))
        {
            before = (await first.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the pod ready"))[0];
            Assert.Equal(0, await first.StopAsync());
        }

        var id = DockerEngine.IdOf(Container(before, "web"));
        Assert.Equal([id], DockerEngine.Containers(ServiceLabel, "adopt"));
        Assert.Equal("true", DockerEngine.Run("inspect", "-f", "{{.State.Running}}", id).Output.Trim());

        await using var second = await GatewayProcess.StartAsync(Web("adopt"), directory);
        var after = (await second.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the adopted pod ready"))[0];
        Assert.Equal(before.Metadata.Name, after.Metadata.Name);
        Assert.Equal(before.Metadata.Uid, after.Metadata.Uid);
        Assert.Equal(Container(before, "web").ContainerID, Container(after, "web").ContainerID);
        Assert.Equal(Container(before, "web").RestartCount, Container(after, "web").RestartCount);
        Assert.Equal($"hello from {before.Metadata.Name}\n", await second.Proxy.GetStringAsync("/index.html"));
        Assert.Equal([id], DockerEngine.Containers(ServiceLabel, "adopt"));

        // This gateway does not keep its containers: stopping it removes the one it adopted.
        Assert.Equal(0, await second.StopAsync());
        Assert.Empty(DockerEngine.Containers(ServiceLabel, "adopt"));
    }

    [SkippableFact]
    public async Task ExecProbe_PastItsTimeout_FailsAndTheCommandIsKilled()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync("""
            { "slow": { "Runtime": "Docker", "Template": { "spec": { "containers": [ {
                "name": "app", "image": "busybox:local", "args": [ "sleep", "600" ],
                "readinessProbe": { "exec": { "command": [ "sleep", "27" ] }, "timeoutSeconds": 1, "periodSeconds": 3 }
            } ] } } } }
            """);

        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e.Reason == "Unhealthy" && e.Count >= 2),
            "two Unhealthy events", TimeSpan.FromSeconds(20));
        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message == "Readiness probe failed: command \"sleep 27\" timed out after 1s");

        // Each probe's sleep would live 27 s if it were not killed: some moment between probes shows none.
        var pod = (await gateway.GetPodsAsync()).Items.Single();
        Assert.False(Container(pod, "app").Ready);
        var id = DockerEngine.IdOf(Container(pod, "app"));
        await Poll.UntilAsync(() => Task.FromResult(!DockerEngine.Run("top", id).Output.Contains("sleep 27", StringComparison.Ordinal)),
            "no probe command left running", TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Proxy.GetAsync("/")).StatusCode);
    }
}
