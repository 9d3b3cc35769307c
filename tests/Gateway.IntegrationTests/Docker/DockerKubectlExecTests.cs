using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Admin;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Docker;

/// <summary>The real kubectl's <c>exec</c> into a Docker pod: through the engine's exec API, output, stdin, exit code and a terminal.</summary>
public sealed class DockerKubectlExecTests
{
    [SkippableFact]
    public async Task Exec_IntoADockerContainer_OutputStdinExitCodeAndATerminal()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync("""
            { "dexec": { "Runtime": "Docker", "Template": { "spec": { "terminationGracePeriodSeconds": 2, "containers": [ {
                "name": "app", "image": "busybox:local", "command": [ "sh", "-c", "echo ok > /tmp/healthy; exec sleep 600" ] } ] } } } }
            """, adminScheme: "https");
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.All(c => c.Ready) == true, "a ready Docker pod", TimeSpan.FromSeconds(60)))[0].Metadata.Name;
        await Poll.UntilAsync(async () => (await Kubectl.RunToExitAsync(gateway.Kubeconfig, "exec", pod, "--", "test", "-s", "/tmp/healthy")).ExitCode == 0,
            "the container's /tmp/healthy", TimeSpan.FromSeconds(30));

        var (exitCode, output) = await Kubectl.RunToExitAsync(gateway.Kubeconfig, "exec", pod, "-c", "app", "--", "cat", "/tmp/healthy");
        Assert.True(exitCode == 0, output);
        Assert.Equal("ok\n", output);

        (exitCode, output) = await KubectlInteractive.RunWithInputAsync(gateway.Kubeconfig, "hi\n", "exec", "-i", pod, "--", "sh", "-c", "cat; echo err >&2; exit 3");
        Assert.Equal(3, exitCode);
        Assert.Contains("hi\n", output, StringComparison.Ordinal);
        Assert.Contains("err\n", output, StringComparison.Ordinal);
        Assert.Contains("command terminated with exit code 3", output, StringComparison.Ordinal);

        (exitCode, output) = await KubectlInteractive.RunOnTerminalAsync(gateway.Kubeconfig, "[ -t 0 ] && echo on-a-tty; echo $((6*7)); exit 4\r", "exec", "-it", pod, "--", "sh");
        Assert.True(Regex.IsMatch(output, @"(?m)^on-a-tty\r?$"), $"the terminal showed: {output}");
        Assert.True(Regex.IsMatch(output, @"(?m)^42\r?$"), $"the terminal showed: {output}");
        Assert.Equal(4, exitCode);
    }
}
