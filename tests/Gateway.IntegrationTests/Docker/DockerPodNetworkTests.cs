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
}
