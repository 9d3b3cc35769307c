using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// The settings file and its manifest mounted as a Kubernetes ConfigMap: links into <c>..data/</c>,
/// which the kubelet swaps to a new folder atomically. A running gateway applies each swap.
/// </summary>
public sealed class ConfigMapSwapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-configmap-").FullName;
    private int _version;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a new <c>..VERSION/</c> folder and points <c>..data</c> at it as the kubelet does: a new link renamed over the old.</summary>
    private void Publish(string settings, string manifest)
    {
        var version = $"..2026_12_02_08_00_{++_version:00}.{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(_dir, version));
        File.WriteAllText(Path.Combine(_dir, version, "appsettings.json"), settings);
        File.WriteAllText(Path.Combine(_dir, version, BadInputs.ManifestName), manifest);
        if (_version == 1)
        {
            File.CreateSymbolicLink(Path.Combine(_dir, "..data"), version);
            File.CreateSymbolicLink(Path.Combine(_dir, "appsettings.json"), "..data/appsettings.json");
            File.CreateSymbolicLink(Path.Combine(_dir, BadInputs.ManifestName), $"..data/{BadInputs.ManifestName}");
            return;
        }

        File.CreateSymbolicLink(Path.Combine(_dir, "..data_tmp"), version);
        Assert.Equal(0, Rename(Path.Combine(_dir, "..data_tmp"), Path.Combine(_dir, "..data")));
    }

    /// <summary>rename(2): replaces the <c>..data</c> link atomically, which File.Move does not do for a link to a folder.</summary>
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);

    [Fact]
    public async Task DataSwap_OfTheManifestThenOfTheSettings_EachApplied()
    {
        var (proxyPort, adminPort) = (FreePort.Get(), FreePort.Get());
        var (settings, _) = BadInputs.Files(null, proxyPort, adminPort, BadInputs.DemoCommand);
        Publish(settings, BadInputs.Manifest(BadInputs.DemoCommand, replicas: 1));
        await using var gateway = GatewayLaunch.Start(Path.Combine(_dir, "appsettings.json"));
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        Assert.True(await gateway.RunningAsync(adminPort, TimeSpan.FromSeconds(30)), gateway.Output);
        await PodsAsync(admin, 1, gateway);

        Publish(settings, BadInputs.Manifest(BadInputs.DemoCommand, replicas: 2));
        await PodsAsync(admin, 2, gateway);

        var settingsWithReplicas = JsonNode.Parse(settings)!;
        settingsWithReplicas["Gateway"]!["Services"]!["web"]!["Replicas"] = 1;
        Publish(settingsWithReplicas.ToJsonString(), BadInputs.Manifest(BadInputs.DemoCommand, replicas: 2));
        await PodsAsync(admin, 1, gateway);

        Assert.Equal(0, await gateway.StopAsync());
    }

    private static Task PodsAsync(HttpClient admin, int count, GatewayLaunch gateway) => Poll.UntilAsync(async () =>
    {
        var pods = KubernetesJson.Deserialize<V1PodList>(await admin.GetStringAsync("/api/v1/namespaces/default/pods")).Items;
        return pods.Count(p => p.Metadata.DeletionTimestamp is null) == count && pods.Count == count;
    }, $"{count} pod(s) after the swap\n{gateway.Output}", TimeSpan.FromSeconds(30));
}
