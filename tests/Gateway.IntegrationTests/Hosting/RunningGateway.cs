using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// One gateway on <see cref="BadInputs"/>' valid files with the demo backend's two pods and a running
/// load, shared by a test class that writes files to it and watches how it reloads.
/// </summary>
public sealed class RunningGateway : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-reload-").FullName;

    internal GatewayProcess Gateway { get; private set; } = null!;

    internal LoadGenerator Load { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (settings, manifest) = BadInputs.Files(null, 0, 0, BadInputs.DemoCommand);
        await File.WriteAllTextAsync(Path.Combine(_dir, BadInputs.ManifestName), manifest);
        Gateway = await GatewayProcess.StartAsync(BadInputs.ServicesOf(settings), _dir);
        var reloads = await ReloadsAsync();
        await WriteAsync(null);
        await Poll.UntilAsync(async () => await ReloadsAsync() > reloads, "the test's own settings file applied");
        await ReadyPodsAsync(2);
        Load = new LoadGenerator(Gateway.Proxy.BaseAddress!, clients: 2, maxDuration: TimeSpan.FromMinutes(10));
        await Load.WaitForMoreAsync(50);
    }

    /// <summary>Writes the files of <paramref name="row"/>, or the valid ones when null.</summary>
    internal async Task WriteAsync(BadInputs.Row? row) => await WriteAsync(BadInputs.Files(row, Gateway.ProxyPort, Gateway.AdminPort, BadInputs.DemoCommand));

    internal string ManifestPath => Path.Combine(_dir, BadInputs.ManifestName);

    internal async Task WriteAsync((string Settings, string Manifest) files)
    {
        await ReplaceAsync(ManifestPath, Encoding.UTF8.GetBytes(files.Manifest));
        await ReplaceAsync(Gateway.SettingsPath, Encoding.UTF8.GetBytes(files.Settings));
    }

    /// <summary>Replaces a file that changes as an editor saving it whole does (a rename), so no poll reads it half-written.</summary>
    private static async Task ReplaceAsync(string path, byte[] bytes)
    {
        if (File.Exists(path) && (await File.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(bytes))
        {
            return;
        }

        await File.WriteAllBytesAsync(path + ".tmp", bytes);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reloads so far, applied or refused: the counts of the folded ConfigApplied and ConfigRejected events.</summary>
    internal async Task<int> ReloadsAsync(string reason = "") =>
        (await Gateway.GetEventsAsync()).Where(e => reason.Length > 0 ? e.Reason == reason : e.Reason is "ConfigApplied" or "ConfigRejected").Sum(e => e.Count ?? 1);

    /// <summary>Writes <paramref name="files"/> and waits until the gateway has read them; true when it applied them.</summary>
    internal Task<bool> ReloadAsync((string Settings, string Manifest) files) => ReloadAsync(() => WriteAsync(files));

    /// <summary>Replaces one file (the settings or the manifest) with <paramref name="bytes"/> and waits as above.</summary>
    internal Task<bool> ReloadAsync(string path, byte[] bytes) => ReloadAsync(() => ReplaceAsync(path, bytes));

    private async Task<bool> ReloadAsync(Func<Task> write)
    {
        var (reloads, applied) = (await ReloadsAsync(), await ReloadsAsync("ConfigApplied"));
        await write();
        await Poll.UntilAsync(async () => await ReloadsAsync() > reloads, "the gateway to read the files\n" + Gateway.Output);
        return await ReloadsAsync("ConfigApplied") > applied;
    }

    /// <summary>The pods as names and uids, in order.</summary>
    internal async Task<List<string>> PodIdentitiesAsync() =>
        [.. (await Gateway.GetPodsAsync()).Items.Select(p => $"{p.Metadata.Name}/{p.Metadata.Uid}").Order(StringComparer.Ordinal)];

    internal Task<IList<V1Pod>> ReadyPodsAsync(int count) => Gateway.WaitForPodsAsync(
        p => p.Count == count && p.All(x => x.Metadata.DeletionTimestamp is null && x.Status.ContainerStatuses?.All(c => c.Ready) == true),
        $"{count} ready pods", TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        await Load.DisposeAsync();
        await Gateway.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
