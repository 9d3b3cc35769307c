using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Admin;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Docker;

/// <summary>
/// The real kubectl's <c>top pods --containers</c> on a Docker pod: the engine's stats give a busy
/// container its CPU and a container holding 20 MB its working set.
/// </summary>
public sealed partial class DockerTopTests
{
    private const string Services = """
        { "dburn": { "Runtime": "Docker", "Route": { "Path": "/dburn/{**catch-all}" }, "Template": { "spec": { "terminationGracePeriodSeconds": 1, "containers": [
            { "name": "burn", "image": "busybox:local", "command": [ "sh", "-c", "while :; do :; done" ] },
            { "name": "hold", "image": "busybox:local", "command": [ "sh", "-c", "x=$(head -c 20000000 /dev/zero | tr '\\0' a); while :; do sleep 3600; done" ] } ] } } } }
        """;

    [GeneratedRegex(@"^(?<pod>dburn-\S+)\s+(?<container>\S+)\s+(?<cpu>\d+)m\s+(?<memory>\d+)Mi\s*$", RegexOptions.Multiline)]
    private static partial Regex RowPattern();

    [SkippableFact]
    public async Task TopPodsContainers_DockerPod_TheBusyContainersCpuAndTheHoldingOnesMemory()
    {
        DockerEngine.RequireOrSkip();
        await using var gateway = await GatewayProcess.StartAsync(Services);
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.Count(c => c.State.Running is not null) == 2, "the pod's two containers running", TimeSpan.FromSeconds(60));

        Dictionary<string, (int MilliCores, int MiB)> rows = [];
        var output = "";
        await Poll.UntilAsync(async () =>
        {
            output = await Kubectl.RunAsync(gateway.Kubeconfig, "top", "pods", "--containers");
            rows = RowPattern().Matches(output).ToDictionary(m => m.Groups["container"].Value,
                m => (int.Parse(m.Groups["cpu"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["memory"].Value, CultureInfo.InvariantCulture)));
            return rows.TryGetValue("burn", out var burn) && rows.TryGetValue("hold", out var hold) && burn.MilliCores >= 50 && hold.MilliCores <= 10 && hold.MiB >= 19;
        }, "the burn container busy and the hold container holding 20 MB", TimeSpan.FromSeconds(60));

        Assert.Equal(["burn", "hold"], rows.Keys);
        Assert.InRange(rows["hold"].MiB, 19, 200);
    }
}
