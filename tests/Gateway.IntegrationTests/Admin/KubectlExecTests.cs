using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// One gateway for the exec tests: a Process pod <c>box</c> with two containers, <c>web</c> (which wrote
/// <c>healthy</c> in its working folder and has <c>GREETING</c> in its environment) and <c>side</c>,
/// and a pod <c>crash</c> whose container never stays up.
/// The admin listener is on https: exec is a write, and kubectl sends its token only over TLS.
/// </summary>
public sealed class ExecGateway : IAsyncLifetime
{
    private GatewayProcess? _gateway;

    internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public string Pod { get; private set; } = "";

    /// <summary>A pod whose one container exits at once, again and again (CrashLoopBackOff).</summary>
    public string CrashingPod { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync("""
            { "box": { "Route": { "Path": "/box/{**catch-all}" }, "Replicas": 1, "Template": { "spec": { "terminationGracePeriodSeconds": 2, "containers": [
                { "name": "web", "command": [ "sh", "-c", "echo ok > healthy; exec sleep 600" ], "env": [ { "name": "GREETING", "value": "hello from web" } ] },
                { "name": "side", "command": [ "sleep", "600" ] } ] } } },
              "crash": { "Route": { "Path": "/crash/{**catch-all}" }, "Replicas": 1, "Template": { "spec": { "containers": [ { "name": "app", "command": [ "false" ] } ] } } } }
            """, adminScheme: "https");
        var pods = await _gateway.WaitForPodsAsync(
            p => p.Count == 2 && p.Any(pod => pod.Metadata.Labels["app"] == "box" && pod.Status.ContainerStatuses?.Count == 2 && pod.Status.ContainerStatuses.All(c => c.Ready)), "a ready box pod");
        Pod = pods.Single(p => p.Metadata.Labels["app"] == "box").Metadata.Name;
        CrashingPod = pods.Single(p => p.Metadata.Labels["app"] == "crash").Metadata.Name;
        await Poll.UntilAsync(async () => (await Kubectl.RunToExitAsync(_gateway.Kubeconfig, "exec", Pod, "-c", "web", "--", "test", "-s", "healthy")).ExitCode == 0,
            "the web container's healthy file", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}

/// <summary>The real kubectl's <c>exec</c> against the gateway: output, stdin, exit codes, errors, the token, and a terminal.</summary>
public sealed class KubectlExecTests(ExecGateway fixture) : IClassFixture<ExecGateway>
{
    private GatewayProcess Gateway => fixture.Gateway;

    [SkippableFact]
    public async Task Exec_Cat_PrintsTheFileFromTheWorkingFolderAndExitsZero()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "-c", "web", "--", "cat", "healthy");

        Assert.True(exitCode == 0, output);
        Assert.Equal("ok\n", output);
    }

    [SkippableFact]
    public async Task Exec_Shell_RunsInTheContainersFolderAndEnvironment_StdoutAndStderr()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "-c", "web", "--", "sh", "-c", "echo \"$GREETING\"; pwd; echo oops >&2");

        Assert.True(exitCode == 0, output);
        Assert.Contains("hello from web\n", output, StringComparison.Ordinal);
        Assert.Contains($"/pods/{fixture.Pod}/web\n", output, StringComparison.Ordinal);
        Assert.Contains("oops\n", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_NoContainerNamed_DefaultsToTheFirstAndSaysSo()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "--", "pwd");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Defaulted container \"web\" out of: web, side", output, StringComparison.Ordinal);
        Assert.Contains($"/pods/{fixture.Pod}/web\n", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_StdinPiped_TheCommandReadsItToItsEnd()
    {
        var (exitCode, output) = await KubectlInteractive.RunWithInputAsync(Gateway.Kubeconfig, "hi\nthere\n", "exec", "-i", fixture.Pod, "-c", "side", "--", "cat");

        Assert.True(exitCode == 0, output);
        Assert.Equal("hi\nthere\n", output);
    }

    [SkippableFact]
    public async Task Exec_FailingCommand_KubectlExitsWithItsCode()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "-c", "web", "--", "sh", "-c", "echo before; exit 3");

        Assert.Equal(3, exitCode);
        Assert.Contains("before\n", output, StringComparison.Ordinal);
        Assert.Contains("command terminated with exit code 3", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_NoSuchCommand_TheKubeletsErrorAndExitCode1()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "-c", "web", "--", "no-such-command");

        Assert.Equal(1, exitCode);
        Assert.Contains("error: Internal error occurred: error executing command in container: exec: \"no-such-command\": executable file not found in $PATH", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_UnknownContainer_TheApiServersBadRequest()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.Pod, "-c", "nope", "--", "true");

        Assert.Equal(1, exitCode);
        Assert.Contains($"Error from server (BadRequest): container nope is not valid for pod {fixture.Pod}", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_ContainerNotRunning_TheKubeletsContainerNotFound()
    {
        // Between its restarts (a back-off of 10 s and more) the container has no running instance.
        var output = "";
        await Poll.UntilAsync(async () =>
        {
            (var exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", fixture.CrashingPod, "--", "true");
            return exitCode == 1 && output.Contains("error: unable to upgrade connection: container not found (\"app\")", StringComparison.Ordinal);
        }, "kubectl's container not found", TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Exec_UnknownPod_NotFound()
    {
        var (exitCode, output) = await Kubectl.RunToExitAsync(Gateway.Kubeconfig, "exec", "box-nope", "--", "true");

        Assert.Equal(1, exitCode);
        Assert.Contains("Error from server (NotFound): pods \"box-nope\" not found", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Exec_WithoutTheToken_Unauthorized_AndNothingRuns()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-exec-").FullName;
        try
        {
            var kubeconfig = Path.Combine(directory, "no-token.kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(Gateway.Kubeconfig)).Replace(Gateway.Token, "", StringComparison.Ordinal));
            var marker = Path.Combine(directory, "ran");

            // kubectl GETs the pod first (a read, allowed on loopback without the token), then the exec is refused.
            var (exitCode, output) = await Kubectl.RunToExitAsync(kubeconfig, "exec", fixture.Pod, "-c", "web", "--", "touch", marker);

            // kubectl's answer to a 401 when its kubeconfig has no credentials: it asks for a user name, and stdin has none.
            Assert.NotEqual(0, exitCode);
            Assert.Contains("Please enter Username: error: EOF", output, StringComparison.Ordinal);
            Assert.False(File.Exists(marker));

            // The WebSocket upgrade is a GET, and still a write: 401 without the token.
            var url = $"/api/v1/namespaces/default/pods/{fixture.Pod}/exec?command=touch&command={Uri.EscapeDataString(marker)}&container=web&stdout=true";
            await AdminStatus.ReadAsync(await Gateway.Admin.GetAsync(url), System.Net.HttpStatusCode.Unauthorized, "Unauthorized");
            Assert.False(File.Exists(marker));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Exec_KubectlKilled_TheCommandEndsToo()
    {
        var home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
        try
        {
            using var kubectl = System.Diagnostics.Process.Start(Kubectl.StartInfo(Gateway.Kubeconfig, home, ["exec", fixture.Pod, "-c", "web", "--", "sh", "-c", "echo $$; exec sleep 60"]))!;
            var line = await kubectl.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var pid = int.Parse(line!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(GatewayProcess.IsAlive(pid), $"the exec'd command (pid {pid}) runs");

            kubectl.Kill();

            await Poll.UntilAsync(() => Task.FromResult(!GatewayProcess.IsAlive(pid)), $"the exec'd command (pid {pid}) to end with its client");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [SkippableFact]
    public async Task ExecIt_Shell_OnATerminal_RunsWhatIsTypedAndEndsWithExit()
    {
        var (exitCode, output) = await KubectlInteractive.RunOnTerminalAsync(Gateway.Kubeconfig, "[ -t 0 ] && echo on-a-tty; echo $((6*7)); exit 5\r",
            "exec", "-it", fixture.Pod, "-c", "web", "--", "sh");

        // The terminal echoes what was typed ("6*7"); only the command's output is "42" alone on a line.
        Assert.True(Regex.IsMatch(output, @"(?m)^on-a-tty\r?$"), $"the terminal showed: {output}");
        Assert.True(Regex.IsMatch(output, @"(?m)^42\r?$"), $"the terminal showed: {output}");
        Assert.Equal(5, exitCode);
    }
}
