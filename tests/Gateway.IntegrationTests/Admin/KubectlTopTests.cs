using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// The real kubectl's <c>top pods</c> against the gateway's PodMetrics (a pod spinning on a CPU next
/// to demo-backend pods that only answer probes) and its <c>describe deploy</c> and <c>describe rs</c>
/// of a replicated service after a scale. One gateway for the class, its admin listener on https
/// (kubectl sends its token, which the scale needs, only over TLS).
/// </summary>
public sealed partial class KubectlTopTests(KubectlTopTests.TopGateway fixture) : IClassFixture<KubectlTopTests.TopGateway>
{
    /// <summary><c>web</c>: two demo-backend pods; <c>burn</c>: one pod of a busy loop (container <c>burn</c>) and a shell that holds 20 MB and sleeps (<c>idle</c>).</summary>
    public sealed class TopGateway : IAsyncLifetime
    {
        private const string Burn = """
            "burn": { "Route": { "Path": "/burn/{**catch-all}" }, "Replicas": 1, "Template": { "spec": { "terminationGracePeriodSeconds": 1, "containers": [
                { "name": "burn", "command": [ "sh", "-c", "while :; do :; done" ] },
                { "name": "idle", "command": [ "sh", "-c", "x=$(head -c 20000000 /dev/zero | tr '\\0' a); while :; do sleep 3600; done" ] } ] } } }
            """;

        private GatewayProcess? _gateway;

        internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            _gateway = await GatewayProcess.StartAsync(DemoService.Services(DemoService.Member("web", 2, gracePeriodSeconds: 1), Burn), adminScheme: "https");
            await _gateway.WaitForPodsAsync(p => p.Count == 3 && p.All(pod => pod.Status.ContainerStatuses?.All(c => c.Ready) == true), "three ready pods");
        }

        public async Task DisposeAsync()
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }
        }
    }

    /// <summary>A row of <c>kubectl top pods</c>: the pod (and container with <c>--containers</c>), millicores and MiB.</summary>
    private sealed record Row(string Pod, string? Container, int MilliCores, int MiB);

    [GeneratedRegex(@"^(?<pod>\S+)\s+(?:(?<container>\S+)\s+)?(?<cpu>\d+)m\s+(?<memory>\d+)Mi\s*$", RegexOptions.Multiline)]
    private static partial Regex RowPattern();

    private static List<Row> Rows(string output) =>
        [.. RowPattern().Matches(output).Select(m => new Row(m.Groups["pod"].Value, m.Groups["container"].Success ? m.Groups["container"].Value : null,
            int.Parse(m.Groups["cpu"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["memory"].Value, CultureInfo.InvariantCulture)))];

    [Fact]
    public async Task TopPods_TheBusyPodUsesClearlyMoreCpuThanTheIdleOnes_EachWithItsMemory()
    {
        var kubeconfig = fixture.Gateway.Kubeconfig;

        // The machine is shared: the busy loop gets what CPU is left, so a run may catch it starved; a few runs are allowed.
        string output = "";
        List<Row> rows = [];
        await Poll.UntilAsync(async () =>
        {
            output = await Kubectl.RunAsync(kubeconfig, "top", "pods");
            rows = Rows(output);
            var burn = rows.SingleOrDefault(r => r.Pod.StartsWith("burn-", StringComparison.Ordinal));
            var web = rows.Where(r => r.Pod.StartsWith("web-", StringComparison.Ordinal)).ToList();
            return burn is not null && web.Count >= 2 && burn.MilliCores >= 50 && web.All(w => burn.MilliCores > 4 * w.MilliCores + 20);
        }, "the busy pod to use clearly more CPU than the web pods", TimeSpan.FromSeconds(60));

        Assert.Matches(@"^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n", output);
        foreach (var web in rows.Where(r => r.Pod.StartsWith("web-", StringComparison.Ordinal)))
        {
            // A .NET demo backend holds tens of MiB.
            Assert.InRange(web.MiB, 5, 1024);
        }

        // Two shells, one of them holding a 20 MB string, and a sleep.
        Assert.InRange(rows.Single(r => r.Pod.StartsWith("burn-", StringComparison.Ordinal)).MiB, 20, 200);
    }

    [Fact]
    public async Task TopPodsContainers_EachContainerOnItsOwnRow()
    {
        var kubeconfig = fixture.Gateway.Kubeconfig;
        var burnPod = (await fixture.Gateway.GetPodsAsync()).Items.Single(p => p.Metadata.Labels["app"] == "burn").Metadata.Name;
        string output = "";
        await Poll.UntilAsync(async () =>
        {
            output = await Kubectl.RunAsync(kubeconfig, "top", "pods", "--containers");
            var rows = Rows(output);
            return rows.Any(r => r.Container == "burn" && r.MilliCores >= 50) && rows.Any(r => r.Container == "idle" && r.MilliCores <= 10);
        }, "the burn container busy and the idle one not", TimeSpan.FromSeconds(60));

        Assert.Matches(@"^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n", output);
        var all = Rows(output);
        Assert.Equal(["burn", "idle"], all.Where(r => r.Pod == burnPod).Select(r => r.Container));
        Assert.InRange(all.Single(r => r.Container == "idle").MiB, 19, 200);
        Assert.InRange(all.Single(r => r.Container == "burn").MiB, 0, 50);
        Assert.All(all.Where(r => r.Pod.StartsWith("web-", StringComparison.Ordinal)), r => Assert.Equal("web", r.Container));
    }

    [Fact]
    public async Task TopPod_ByNameAndByLabel_OnlyThose_AndTheApiServersAnswersForNoneOrABadSelector()
    {
        var kubeconfig = fixture.Gateway.Kubeconfig;
        var webPods = (await fixture.Gateway.GetPodsAsync()).Items.Where(p => p.Metadata.Labels["app"] == "web").Select(p => p.Metadata.Name).ToList();

        var one = Rows(await Kubectl.RunAsync(kubeconfig, "top", "pod", webPods[0]));
        Assert.Equal([webPods[0]], one.Select(r => r.Pod));

        var selected = Rows(await Kubectl.RunAsync(kubeconfig, "top", "pods", "-l", "app=web"));
        Assert.NotEmpty(selected);
        Assert.All(selected, r => Assert.StartsWith("web-", r.Pod, StringComparison.Ordinal));

        var (code, output) = await Kubectl.ExecAsync(kubeconfig, "top", "pod", "nope");
        Assert.True(code != 0, output);
        Assert.Contains("Error from server (NotFound): podmetrics.metrics.k8s.io \"nope\" not found", output, StringComparison.Ordinal);
        Assert.Contains("No resources found in default namespace.", await Kubectl.RunAsync(kubeconfig, "top", "pods", "-l", "app=none"), StringComparison.Ordinal);
        (code, output) = await Kubectl.ExecAsync(kubeconfig, "top", "pods", "--field-selector", "spec.bogus=1");
        Assert.True(code != 0, output);
        Assert.Contains("Error from server (BadRequest): field label not supported: spec.bogus", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeDeployAndRs_AfterAScale_TheirFieldsAndTheScalesEvent()
    {
        var gateway = fixture.Gateway;
        var kubeconfig = gateway.Kubeconfig;
        await Kubectl.RunAsync(kubeconfig, "scale", "deploy/web", "--replicas=3");
        await gateway.WaitForPodsAsync(p => p.Count(x => x.Metadata.Labels["app"] == "web" && x.Metadata.DeletionTimestamp is null && x.Status.ContainerStatuses?.All(c => c.Ready) == true) == 3,
            "three ready web pods", TimeSpan.FromSeconds(60));
        string describe = "";
        await Poll.UntilAsync(async () => (describe = await Kubectl.RunAsync(kubeconfig, "describe", "deploy", "web")).Contains("3 available", StringComparison.Ordinal),
            "the Deployment to count three available pods", TimeSpan.FromSeconds(30));

        foreach (var line in new[]
        {
            @"Name:\s+web\n", @"Namespace:\s+default\n", @"Selector:\s+app=web\n",
            @"Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable\n",
            @"StrategyType:\s+RollingUpdate\n", @"RollingUpdateStrategy:\s+\S+ max unavailable, \S+ max surge\n",
            @"Pod Template:\n\s+Labels:\s+app=web\n\s+Containers:\n\s+web:\n",
            @"Conditions:\n\s+Type\s+Status\s+Reason\n", @"Available\s+True\s+MinimumReplicasAvailable\n", @"Progressing\s+True\s+NewReplicaSetAvailable\n",
            @"OldReplicaSets:\s+<none>\n", @"NewReplicaSet:\s+web-\w+ \(3/3 replicas created\)\n",
            @"Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n", @"Normal\s+SpecChanged\s+\S+\s+gateway\s+scaled from 2 to 3 replicas",
        })
        {
            Assert.Matches(line, describe);
        }

        var rs = await Kubectl.RunAsync(kubeconfig, "describe", "rs", "-l", "app=web");
        foreach (var line in new[] { @"Name:\s+web-\w+\n", @"Controlled By:\s+Deployment/web\n", @"Replicas:\s+3 current / 3 desired\n", @"Pods Status:\s+3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n", @"Events:" })
        {
            Assert.Matches(line, rs);
        }
    }
}
