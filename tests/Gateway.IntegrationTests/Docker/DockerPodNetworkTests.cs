using Gateway.IntegrationTests.Infrastructure;
using Gateway.Runtimes.Docker;

namespace Gateway.IntegrationTests.Docker;

/// <summary>
/// <c>Gateway:PodNetwork: Pod</c> on a real engine: each pod's containers join a sandbox container
/// (<c>--network none</c>), so a stock server on its fixed port 80 runs in every replica.
/// </summary>
public sealed class DockerPodNetworkTests
{
    private const string Services = """
        {
          "web": {
            "Runtime": "Docker",
            "Replicas": 2,
            "Template": { "spec": {
              "terminationGracePeriodSeconds": 2,
              "containers": [ {
                "name": "web",
                "image": "busybox:local",
                "command": [ "sh", "-c" ],
                "args": [ "mkdir -p /tmp/www && echo \"hello from $POD_NAME on $PORT\" > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www" ],
                "ports": [ { "containerPort": 80 } ],
                "readinessProbe": { "httpGet": { "path": "/", "port": 80 }, "periodSeconds": 1 }
              } ] } } }
        }
        """;

    [SkippableFact]
    public async Task TwoReplicasOfHttpdOnPort80_BothReadyAndBothAnswerThroughTheGateway_SandboxesGoWithThePods()
    {
        DockerEngine.RequireOrSkip();
        Skip.IfNot(Environment.IsPrivilegedProcess, "the gateway enters a sandbox's namespace as root");
        List<string> uids;
        await using (var gateway = await GatewayProcess.StartAsync(Services, gatewayJson: "\"PodNetwork\": \"Pod\""))
        {
            var pods = await Runtimes.PodNetworkTests.AssertBothAnswerOnPort80Async(gateway, TimeSpan.FromSeconds(60));
            uids = [.. pods.Select(p => p.Metadata.Uid)];
            foreach (var pod in pods)
            {
                var sandbox = Assert.Single(DockerEngine.Containers(DockerRuntime.SandboxLabel, pod.Metadata.Uid));
                var mode = DockerEngine.Run("inspect", "-f", "{{.HostConfig.NetworkMode}}", DockerEngine.IdOf(pod.Status.ContainerStatuses[0])).Output.Trim();
                Assert.Equal($"container:{sandbox}", mode);
            }
        }

        Assert.All(uids, uid => Assert.Empty(DockerEngine.Containers(DockerRuntime.SandboxLabel, uid)));
    }

    [SkippableFact]
    public async Task KeptPods_AreAdoptedWithTheirSandboxes_AndAnswerThroughTheNextGateway()
    {
        DockerEngine.RequireOrSkip();
        Skip.IfNot(Environment.IsPrivilegedProcess, "the gateway enters a sandbox's namespace as root");
        var directory = Directory.CreateTempSubdirectory("gateway-docker-netns-").FullName;
        List<string> before;
        await using (var first = await GatewayProcess.StartAsync(Services, directory, gatewayJson: "\"PodNetwork\": \"Pod\", \"KeepPodsOnShutdown\": true"))
        {
            before = [.. (await Runtimes.PodNetworkTests.AssertBothAnswerOnPort80Async(first, TimeSpan.FromSeconds(60))).Select(p => p.Metadata.Uid).Order(StringComparer.Ordinal)];
            Assert.Equal(0, await first.StopAsync("TERM"));
        }

        await using (var second = await GatewayProcess.StartAsync(Services, directory, gatewayJson: "\"PodNetwork\": \"Pod\""))
        {
            // The same pods, entered through the sandboxes they kept: probed Ready and answering on port 80.
            var adopted = await Runtimes.PodNetworkTests.AssertBothAnswerOnPort80Async(second, TimeSpan.FromSeconds(60));
            Assert.Equal(before, adopted.Select(p => p.Metadata.Uid).Order(StringComparer.Ordinal));
            Assert.All(before, uid => Assert.Single(DockerEngine.Containers(DockerRuntime.SandboxLabel, uid)));
        }

        // Stopped without KeepPodsOnShutdown: pods and sandboxes gone.
        Assert.All(before, uid => Assert.Empty(DockerEngine.Containers(DockerRuntime.SandboxLabel, uid)));
    }
}
