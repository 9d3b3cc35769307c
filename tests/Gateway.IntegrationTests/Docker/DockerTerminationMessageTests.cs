using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Docker;

/// <summary>
/// <c>terminationMessagePath</c> and <c>FallbackToLogsOnError</c> on a real engine: the message file is
/// bind-mounted from the host, as the kubelet mounts it, so that even the default path on the
/// container's <c>/dev</c> tmpfs outlives the container.
/// </summary>
public sealed class DockerTerminationMessageTests
{
    private static V1ContainerStateTerminated Terminated(V1Pod pod, string name) => pod.Status.ContainerStatuses.Single(c => c.Name == name).State.Terminated;

    [SkippableFact]
    public async Task TerminationMessage_FromTheFileAtItsPath_BoundedOrTheLogOnError()
    {
        DockerEngine.RequireOrSkip();
        var directory = Directory.CreateTempSubdirectory("gateway-docker-messages-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: {name: dmessages}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 2
              containers:
              - name: default-path
                image: busybox:local
                imagePullPolicy: IfNotPresent
                command: [sh, -c, 'echo "bye from $POD_NAME" > /dev/termination-log; exit 2']
              - name: custom-path
                image: busybox:local
                imagePullPolicy: IfNotPresent
                terminationMessagePath: /var/run/app/message
                command: [sh, -c, 'echo custom > /var/run/app/message; exit 0']
              - name: long
                image: busybox:local
                imagePullPolicy: IfNotPresent
                command: [sh, -c, 'head -c 5000 /dev/zero | tr "\0" a > /dev/termination-log; printf END >> /dev/termination-log; exit 4']
              - name: logs
                image: busybox:local
                imagePullPolicy: IfNotPresent
                terminationMessagePolicy: FallbackToLogsOnError
                command: [sh, -c, 'echo first; echo last; exit 3']
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "dmessages": { "Runtime": "Docker", "Manifest": "pod.yaml" } }""", directory);

        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Failed", "the pod Failed", TimeSpan.FromSeconds(60));
        var pod = (await gateway.GetPodAsync("dmessages"))!;

        Assert.Equal((2, "bye from dmessages\n"), (Terminated(pod, "default-path").ExitCode, Terminated(pod, "default-path").Message));
        Assert.Equal((0, "custom\n"), (Terminated(pod, "custom-path").ExitCode, Terminated(pod, "custom-path").Message));
        var longMessage = Terminated(pod, "long").Message;
        Assert.Equal(4096, longMessage.Length); // the kubelet reads the last 4096 bytes
        Assert.EndsWith("aaaEND", longMessage, StringComparison.Ordinal);
        Assert.Equal("first\nlast\n", Terminated(pod, "logs").Message);
    }
}
