using Gateway.IntegrationTests.Infrastructure;
using Gateway.Runtimes;
using Gateway.Runtimes.Docker;
using k8s.Models;

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

    private static bool Ready(V1Pod pod) => pod.Status.ContainerStatuses?.Count == 1 && pod.Status.ContainerStatuses[0].Ready;

    [SkippableFact]
    public async Task TwoReplicasOfHttpdOnPort80_BothReadyAndBothAnswerThroughTheGateway_SandboxesGoWithThePods()
    {
        DockerEngine.RequireOrSkip();
        Skip.IfNot(Environment.IsPrivilegedProcess, "the gateway enters a sandbox's namespace as root");
        List<string> uids;
        await using (var gateway = await GatewayProcess.StartAsync(Services, gatewayJson: "\"PodNetwork\": \"Pod\""))
        {
            var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(Ready), "both replicas Ready", TimeSpan.FromSeconds(60));
            var answers = new HashSet<string>(StringComparer.Ordinal);
            await Poll.UntilAsync(async () =>
            {
                answers.Add((await gateway.Proxy.GetStringAsync("/")).Trim());
                return answers.Count == 2;
            }, "both replicas answering through the gateway");

            Assert.Equal(pods.Select(p => $"hello from {p.Metadata.Name} on 80").Order(), answers.Order());
            Assert.All(pods, p => Assert.True(PodNetworks.IsPodIp(p.Status.PodIP), p.Status.PodIP));
            Assert.All(pods, p => Assert.Null(p.Spec.Containers[0].Ports[0].HostPort));
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
