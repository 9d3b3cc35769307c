using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// The real <c>kubectl logs</c> against the gateway, every form: a pod and its container, the default
/// container, <c>--tail</c>, <c>--since</c>, <c>--since-time</c>, <c>--timestamps</c>,
/// <c>--limit-bytes</c>, <c>-f</c> (a line written after the follow began arrives, and the follow ends
/// with the container), <c>-p</c>, and <c>-l</c> with <c>--prefix</c> and <c>--all-containers</c>;
/// the API server's errors for what it refuses; and the files behind it, in the kubelet's path and CRI
/// format under the state folder, rotated, and removed with their pod.
/// </summary>
public sealed partial class KubectlLogsTests(KubectlLogsTests.LogsGateway fixture) : IClassFixture<KubectlLogsTests.LogsGateway>
{
    private string Kubeconfig => fixture.Gateway.Kubeconfig;

    private string Pod => fixture.Pods[0];

    [SkippableFact]
    public async Task Logs_PodAndContainer_ItsStdoutAndStderr_TheDefaultContainerNamed()
    {
        var app = await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app");
        Assert.Contains($"hello from {Pod}\n", app, StringComparison.Ordinal);
        Assert.Contains("to stderr\n", app, StringComparison.Ordinal);

        Assert.Equal($"side of {Pod}\n", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "side"));

        // No -c in a pod of two: kubectl takes the first and says so (on stderr).
        var defaulted = await Kubectl.RunAsync(Kubeconfig, "logs", Pod);
        Assert.Contains("Defaulted container \"app\" out of: app, side", defaulted, StringComparison.Ordinal);
        Assert.Contains($"hello from {Pod}\n", defaulted, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("logs", "{pod}", "-c", "nope", "error: container nope is not valid for pod {pod}")]
    [InlineData("logs", "{pod}", "-c", "app", "-p", "Error from server (BadRequest): previous terminated container \"app\" in pod \"{pod}\" not found")]
    [InlineData("logs", "{pod}", "-c", "app", "--limit-bytes=-1", "error: --limit-bytes must be greater than 0")]
    [InlineData("logs", "web-nothere-xxxxx", "error: error from server (NotFound): pods \"web-nothere-xxxxx\" not found")]
    public async Task Logs_Refused_TheApiServersErrorAndExit1(params string[] argsAndError)
    {
        var args = argsAndError[..^1].Select(a => a.Replace("{pod}", Pod, StringComparison.Ordinal)).ToArray();

        var (exitCode, output) = await Kubectl.RunToExitAsync(Kubeconfig, args);

        Assert.Equal(1, exitCode);
        Assert.Contains(argsAndError[^1].Replace("{pod}", Pod, StringComparison.Ordinal), output, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tailLines=ten", 400, "strconv.ParseInt: parsing \"ten\": invalid syntax")]
    [InlineData("sinceTime=yesterday", 400, "parsing time \"yesterday\"")]
    [InlineData("limitBytes=0", 422, "PodLogOptions \"{pod}\" is invalid: limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("tailLines=-1", 422, "tailLines: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("sinceSeconds=0", 422, "sinceSeconds: Invalid value: 0: must be greater than 0")]
    public async Task LogRequest_BadParameter_StatusWithTheApiServersWords(string query, int code, string message)
    {
        using var response = await fixture.Gateway.Admin.GetAsync($"/api/v1/namespaces/default/pods/{Pod}/log?container=app&{query}");

        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((HttpStatusCode)code, response.StatusCode);
        Assert.Equal(("Status", code), ((string?)status["kind"], (int?)status["code"]));
        Assert.Contains(message.Replace("{pod}", Pod, StringComparison.Ordinal), (string?)status["message"], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Logs_TailAndLimitBytes_TheLastLinesAndTheFirstBytes()
    {
        await fixture.SayAsync(Pod, string.Concat(Enumerable.Range(1, 30).Select(i => $"tail line {i}\n")));

        var tail = await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--tail=20");

        Assert.Equal(string.Concat(Enumerable.Range(11, 20).Select(i => $"tail line {i}\n")), tail);
        Assert.Equal("", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--tail=0"));
        Assert.Equal("tail l", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--tail=1", "--limit-bytes=6"));
        Assert.Equal("tail line 29\ntail", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--tail=2", "--limit-bytes=17"));
    }

    [SkippableFact]
    public async Task Logs_Timestamps_EachLineItsTimeAsTheApiServerWritesIt()
    {
        var before = DateTimeOffset.UtcNow;
        await fixture.SayAsync(Pod, "stamped\n");

        var lines = (await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--timestamps")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(lines, line => Assert.Matches(Timestamped(), line));
        var stamped = lines.Single(l => l.EndsWith(" stamped", StringComparison.Ordinal));
        var at = DateTimeOffset.Parse(stamped[..stamped.IndexOf(' ', StringComparison.Ordinal)][..27] + "Z", CultureInfo.InvariantCulture);
        Assert.InRange(at, before.AddSeconds(-1), DateTimeOffset.UtcNow);
    }

    [SkippableFact]
    public async Task Logs_SinceAndSinceTime_OnlyTheLinesFromThen()
    {
        Assert.Contains($"hello from {Pod}\n", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--since=1h"), StringComparison.Ordinal);

        // kubectl sends --since-time to the second: the next whole second, then a line written after it.
        var now = DateTimeOffset.UtcNow;
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddSeconds(1);
        await Task.Delay(from - now + TimeSpan.FromMilliseconds(50));
        await fixture.SayAsync(Pod, "after the second\n");

        var since = await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", $"--since-time={from:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        Assert.Equal("after the second\n", since);

        // Every line is now more than a second old.
        await Task.Delay(DateTimeOffset.UtcNow.AddSeconds(1.1) - DateTimeOffset.UtcNow);
        Assert.Equal("", await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "app", "--since=1s"));
    }

    [SkippableFact]
    public async Task LogsFollow_ALineWrittenLaterArrives_AndTheFollowEndsWithTheContainer_ThenPreviousHasIt()
    {
        var pod = fixture.Pods[1];
        await using var follow = KubectlWatch.Start(Kubeconfig, "logs", "-f", pod, "-c", "app");
        await follow.WaitForAsync($"^hello from {pod}$");

        await fixture.SayAsync(pod, "written while followed\n");
        await follow.WaitForAsync("^written while followed$");

        await fixture.EndAsync(pod);
        Assert.Equal(0, await follow.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches("(?m)^bye$", follow.Output);

        // The container restarted: -p is the instance that ended, the current one begins anew.
        await fixture.Gateway.WaitForPodsAsync(p => p.Single(x => x.Metadata.Name == pod).Status.ContainerStatuses.Single(c => c.Name == "app") is { RestartCount: 1, Ready: true }, "app restarted");
        var previous = await Kubectl.RunAsync(Kubeconfig, "logs", pod, "-c", "app", "-p");
        Assert.Contains("written while followed\nbye\n", previous, StringComparison.Ordinal);
        await Poll.UntilAsync(async () => (await Kubectl.RunAsync(Kubeconfig, "logs", pod, "-c", "app")).Contains($"hello from {pod}", StringComparison.Ordinal), "the new instance's first line");
        Assert.DoesNotContain("bye", await Kubectl.RunAsync(Kubeconfig, "logs", pod, "-c", "app"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task LogsFollow_LimitBytes_EndsAtTheLimit()
    {
        // The side container writes nothing more: only the limit can end this follow, as the kubelet's does.
        var (exitCode, output) = await Kubectl.RunToExitAsync(Kubeconfig, "logs", "-f", Pod, "-c", "side", "--limit-bytes=4");

        Assert.Equal((0, "side"), (exitCode, output));
    }

    [SkippableFact]
    public async Task LogsSelector_Prefix_EachPodsLinesUnderItsName_AllContainersEachContainer()
    {
        var prefixed = await Kubectl.RunAsync(Kubeconfig, "logs", "-l", "app=web", "-c", "app", "--prefix", "--tail=-1");
        foreach (var pod in fixture.Pods)
        {
            Assert.Contains($"[pod/{pod}/app] hello from {pod}\n", prefixed, StringComparison.Ordinal);
        }

        var all = await Kubectl.RunAsync(Kubeconfig, "logs", "-l", "app=web", "--all-containers", "--prefix", "--tail=-1");
        foreach (var pod in fixture.Pods)
        {
            Assert.Contains($"[pod/{pod}/app] hello from {pod}\n", all, StringComparison.Ordinal);
            Assert.Contains($"[pod/{pod}/side] side of {pod}\n", all, StringComparison.Ordinal);
        }

        var pods = (await Kubectl.RunAsync(Kubeconfig, "logs", "-l", "app=web", "-c", "side", "--prefix")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fixture.Pods.Select(p => $"[pod/{p}/side] side of {p}").Order(StringComparer.Ordinal), pods.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task LogsDocker_FollowSeesTheLaterLine_EndsWithTheContainer_TimestampsAreTheEngines()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync("""
            { "job": { "Runtime": "Docker", "Template": { "spec": { "terminationGracePeriodSeconds": 2, "containers": [ {
                "name": "app", "image": "busybox:local", "command": [ "sh", "-c", "echo first; echo to stderr >&2; sleep 8; echo later; exit 3" ] } ] } } } }
            """);
        var running = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.Single().State.Running is not null, "the container running"))[0];
        var pod = running.Metadata.Name;

        await using var follow = KubectlWatch.Start(gateway.Kubeconfig, "logs", "-f", pod);
        await follow.WaitForAsync("^first$");
        Assert.DoesNotContain("later", follow.Output, StringComparison.Ordinal);
        await follow.WaitForAsync("^later$", TimeSpan.FromSeconds(20));
        Assert.Equal(0, await follow.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("to stderr", follow.Output, StringComparison.Ordinal);

        var stamped = (await Kubectl.RunAsync(gateway.Kubeconfig, "logs", pod, "--timestamps")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(stamped, l => l.EndsWith(" first", StringComparison.Ordinal));
        Assert.All(stamped, line => Assert.Matches(Timestamped(), line));

        // The file has the engine's lines too, each stream its own.
        var file = await File.ReadAllLinesAsync(Path.Combine(Path.GetDirectoryName(gateway.SettingsPath)!, "state", "pods", $"default_{pod}_{running.Metadata.Uid}", "app", "0.log"));
        Assert.Contains(file, l => l.EndsWith(" stdout F first", StringComparison.Ordinal));
        Assert.Contains(file, l => l.EndsWith(" stderr F to stderr", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task LogFiles_EachInstanceInTheKubeletsPathAndCriFormat_UnderTheStateFolder()
    {
        var pod = (await fixture.Gateway.WaitForPodsAsync(p => p.Any(x => x.Metadata.Name == Pod), "the pod")).Single(x => x.Metadata.Name == Pod);
        var folder = Path.Combine(Path.GetDirectoryName(fixture.Gateway.SettingsPath)!, "state", "pods", $"default_{Pod}_{pod.Metadata.Uid}");

        var side = await File.ReadAllLinesAsync(Path.Combine(folder, "side", "0.log"));
        Assert.Matches(CriEntry(), Assert.Single(side));
        Assert.EndsWith($" stdout F side of {Pod}", side[0], StringComparison.Ordinal);

        var app = await File.ReadAllLinesAsync(Path.Combine(folder, "app", "0.log"));
        Assert.All(app, line => Assert.Matches(CriEntry(), line));
        Assert.Contains(app, l => l.EndsWith(" stderr F to stderr", StringComparison.Ordinal));

        // What kubectl shows is what the file holds, with the file's times.
        var stamped = await Kubectl.RunAsync(Kubeconfig, "logs", Pod, "-c", "side", "--timestamps");
        Assert.Equal($"{side[0][..side[0].IndexOf(' ', StringComparison.Ordinal)]} side of {Pod}\n", stamped);
    }

    [SkippableFact]
    public async Task LogFiles_RotatedAtTheMaxSize_KubectlReadsAcrossThem_AndThePodsFolderGoesWithThePod()
    {
        // 100k lines (4.5 MiB of entries) into files of at most 64 KiB, three kept: the oldest lines are gone, the rest read in order.
        var started = DateTimeOffset.UtcNow;
        await using var gateway = await GatewayProcess.StartAsync("""
            { "seq": { "Template": { "spec": { "terminationGracePeriodSeconds": 1, "containers": [
                { "name": "app", "command": [ "sh", "-c", "seq 1 100000; exec sleep 1000" ] } ] } } } }
            """, gatewayJson: """ "Logs": { "ContainerLogMaxSize": "64Ki", "ContainerLogMaxFiles": 3 } """, adminScheme: "https");
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.Single().State.Running is not null, "the container running"))[0];
        var name = pod.Metadata.Name;
        await Poll.UntilAsync(async () => (await Kubectl.RunAsync(gateway.Kubeconfig, "logs", name, "--tail=1")) == "100000\n", "the last line", TimeSpan.FromSeconds(30));
        var written = DateTimeOffset.UtcNow - started;

        var folder = Path.Combine(Path.GetDirectoryName(gateway.SettingsPath)!, "state", "pods", $"default_{name}_{pod.Metadata.Uid}");
        var files = Directory.GetFiles(Path.Combine(folder, "app")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.Equal(Path.Combine(folder, "app", "0.log"), files[0]);
        Assert.All(files.Skip(1), f => Assert.Matches(@"/0\.log\.\d{8}-\d{6}\.\d{6}$", f));
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 64 * 1024));

        // An entry is 46 or 47 bytes: two full rotated files hold at least 2786 lines, three files at most 4275.
        // A tail of 2000 always reaches back past the current file (at most 1425).
        var tail = await Kubectl.RunAsync(gateway.Kubeconfig, "logs", name, "--tail=2000");
        Assert.Equal(string.Concat(Enumerable.Range(98001, 2000).Select(i => $"{i}\n")), tail);
        var all = (await Kubectl.RunAsync(gateway.Kubeconfig, "logs", name)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        Assert.InRange(all[0], 100001 - 4275, 100001 - 2786);
        Assert.Equal(Enumerable.Range(all[0], 100001 - all[0]), all);
        Assert.True(written < TimeSpan.FromSeconds(20), $"100k lines took {written} to be logged");

        Assert.Contains($"pod \"{name}\" deleted", await Kubectl.RunAsync(gateway.Kubeconfig, "delete", "pod", name), StringComparison.Ordinal);
        await Poll.UntilAsync(() => Task.FromResult(!Directory.Exists(folder)), "the deleted pod's log folder removed", TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")]
    private static partial Regex Timestamped();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [PF] ")]
    private static partial Regex CriEntry();

    /// <summary>
    /// A gateway with two <c>web</c> pods of two containers: <c>app</c> writes a line to stdout and one
    /// to stderr, then whatever the test puts in its pod's <c>say</c> file, and exits (code 3, so it is
    /// restarted) when the test puts its <c>exit</c> file; <c>side</c> writes one line and sleeps.
    /// </summary>
    public sealed class LogsGateway : IAsyncLifetime
    {
        // The gateway's settings folder: a container with a /tmp of its own still sees it (GATEWAY_CONFIG_DIR), wherever the checkout is.
        private readonly string _control = Directory.CreateTempSubdirectory("gateway-kubectl-logs-").FullName;
        private GatewayProcess? _gateway;

        internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

        public IReadOnlyList<string> Pods { get; private set; } = [];

        public async Task InitializeAsync()
        {
            var d = _control + "/$POD_NAME";
            var app = $"echo hello from $POD_NAME; echo to stderr >&2; while :; do if [ -f {d}.say ]; then cat {d}.say; rm {d}.say; fi; "
                + $"if [ -f {d}.exit ]; then rm {d}.exit; echo bye; exit 3; fi; sleep 0.05; done";
            _gateway = await GatewayProcess.StartAsync($$"""
                { "web": { "Replicas": 2, "Template": { "spec": { "terminationGracePeriodSeconds": 2, "containers": [
                    { "name": "app", "command": [ "sh", "-c", "{{app}}" ] },
                    { "name": "side", "command": [ "sh", "-c", "echo side of $POD_NAME; exec sleep 1000" ] } ] } } } }
                """, _control, adminScheme: "https");
            var pods = await _gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(pod => pod.Status.ContainerStatuses?.Count == 2 && pod.Status.ContainerStatuses.All(c => c.Ready)), "two ready pods");
            Pods = [.. pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal)];
        }

        /// <summary>Has <paramref name="pod"/>'s <c>app</c> write <paramref name="text"/>, and waits until its log shows it.</summary>
        public async Task SayAsync(string pod, string text)
        {
            var file = Path.Combine(_control, pod);
            await File.WriteAllTextAsync(file + ".tmp", text);
            File.Move(file + ".tmp", file + ".say");
            await Poll.UntilAsync(async () => !File.Exists(file + ".say") && (await Gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod}/log?container=app")).EndsWith(text, StringComparison.Ordinal), $"{pod} saying {text}");
        }

        /// <summary>Has <paramref name="pod"/>'s <c>app</c> exit.</summary>
        public Task EndAsync(string pod) => File.WriteAllTextAsync(Path.Combine(_control, pod + ".exit"), "");

        public async Task DisposeAsync()
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }

            Directory.Delete(_control, recursive: true);
        }
    }
}
