using System.Net;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Valid files mutated at random (fixed seeds, a bounded count) saved while the gateway runs under
/// load: a refused file leaves the same pods and routing (no failed request); an applied one is
/// undone; the gateway never crashes and never prints a stack trace.
/// </summary>
public sealed class ReloadFuzzTests(RunningGateway running, ITestOutputHelper output) : IClassFixture<RunningGateway>
{
    private const int Count = 40;

    [Fact]
    public async Task Reload_MutatedFiles_RefusedWholeOrAppliedNeverHalf()
    {
        var gateway = running.Gateway;
        var (settings, manifest) = BadInputs.Files(null, gateway.ProxyPort, gateway.AdminPort, BadInputs.DemoCommand);
        var outcomes = new List<string>();
        var rng = new Random(20261202);
        bool? dirty = null; // which file holds a refused mutation: true for the manifest, false for the settings
        for (var i = 1; i <= Count; i++)
        {
            var toManifest = rng.Next(5) >= 3;
            var (bytes, what) = toManifest ? Mutations.Manifest(manifest, rng) : Mutations.Settings(settings, rng);
            what = $"{i}, {(toManifest ? "manifest" : "settings")}: {what}";
            if (bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(toManifest ? manifest : settings)))
            {
                continue;
            }

            if (dirty is { } bad && bad != toManifest)
            {
                // Each mutation is judged alone: the other file's refused one is undone first.
                Assert.True(await running.ReloadAsync((settings, manifest)), $"{what}: the valid files again\n{gateway.Output}");
            }

            await running.ReadyPodsAsync(2);
            var pods = await running.PodIdentitiesAsync();
            var failed = running.Load.Failed;

            if (await running.ReloadAsync(toManifest ? running.ManifestPath : gateway.SettingsPath, bytes))
            {
                outcomes.Add($"{what}: applied");
                Assert.True(await running.ReloadAsync((settings, manifest)), $"{what}: the valid files again\n{gateway.Output}");
                dirty = null;
                continue;
            }

            outcomes.Add($"{what}: refused");
            dirty = toManifest;
            await running.Load.WaitForMoreAsync(20);
            Assert.True(running.Load.Failed == failed, $"{what}: {running.Load.Failed - failed} requests failed\n{running.Load.FailureSample}");
            Assert.True(pods.SequenceEqual(await running.PodIdentitiesAsync()), $"{what}: the pods changed");
            Assert.Equal(HttpStatusCode.OK, (await gateway.Proxy.GetAsync("/")).StatusCode);
        }

        output.WriteLine(string.Join("\n", outcomes));
        Assert.False(gateway.HasExited, string.Join("\n", outcomes));
        Assert.False(GatewayLaunch.HasStackTrace(gateway.Output), $"a stack trace:\n{string.Join("\n", outcomes)}\n{gateway.Output}");
        Assert.Contains(outcomes, o => o.EndsWith("refused", StringComparison.Ordinal));
        Assert.True(await running.ReloadAsync((settings.Replace("\"Attempts\": 2", "\"Attempts\": 1", StringComparison.Ordinal), manifest)), "a good edit after the fuzz");
    }
}
