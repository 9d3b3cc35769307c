using Gateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Valid files mutated at random (fixed seeds, a bounded count) given to a starting gateway: it runs
/// and stops with 0, or refuses with 2 and an error; never a crash, never a stack trace, never 0 on a
/// fatal error, never a container left behind.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Count = 15;
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-fuzz-").FullName;

    /// <summary>In every container's command line; unique because the folder is.</summary>
    private string Marker => Path.Combine(_dir, "hosting-fuzz-container");


    public void Dispose()
    {
        foreach (var pid in GatewayLaunch.ProcessesWith(Marker))
        {
            GatewayProcess.Signal(pid, "KILL");
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Start_MutatedFiles_RunOrRefuseNeverCrash()
    {
        var (outcomes, failures) = (new List<string>(), new List<string>());
        var rng = new Random(20261202);
        for (var i = 1; i <= Count; i++)
        {
            var (proxyPort, adminPort) = (FreePort.Get(), FreePort.Get());
            var (settings, manifest) = BadInputs.Files(null, proxyPort, adminPort, BadInputs.MarkerCommand(Marker));
            var settingsPath = Path.Combine(_dir, "appsettings.json");
            var manifestPath = Path.Combine(_dir, BadInputs.ManifestName);
            await File.WriteAllTextAsync(settingsPath, settings);
            await File.WriteAllTextAsync(manifestPath, manifest);
            var toManifest = rng.Next(5) >= 3;
            var (bytes, what) = toManifest ? Mutations.Manifest(manifest, rng) : Mutations.Settings(settings, rng);
            what = $"{i}, {(toManifest ? "manifest" : "settings")}: {what}";
            await File.WriteAllBytesAsync(toManifest ? manifestPath : settingsPath, bytes);

            await using var gateway = GatewayLaunch.Start(settingsPath);
            var (outcome, failure) = await RunAsync(gateway, adminPort);
            outcomes.Add($"{what}: {outcome}");
            if (failure is not null)
            {
                failures.Add($"{what}: {failure}\n{gateway.Output}");
            }

            await Poll.UntilAsync(() => Task.FromResult(GatewayLaunch.ProcessesWith(Marker).Count == 0), $"{what}: no container left", TimeSpan.FromSeconds(5));
        }

        output.WriteLine(string.Join("\n", outcomes));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Prepend(string.Join("\n", outcomes))));
        Assert.Contains(outcomes, o => o.EndsWith("refused", StringComparison.Ordinal));
    }

    /// <summary>"ran" (then stopped with 0) or "refused" (exit 2), and what went wrong, if anything.</summary>
    private static async Task<(string Outcome, string? Failure)> RunAsync(GatewayLaunch gateway, int adminPort)
    {
        if (await gateway.RunningAsync(adminPort, TimeSpan.FromSeconds(15)))
        {
            int stopped;
            try
            {
                stopped = await gateway.StopAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                return ("ran", "did not stop within 20 s of SIGTERM");
            }

            return ("ran", stopped != 0 ? $"stopped with exit {stopped}" : GatewayLaunch.HasStackTrace(gateway.Output) ? "a stack trace" : null);
        }

        return ("refused", gateway.ExitCode != 2 ? $"exit {gateway.ExitCode}, not 2" : GatewayLaunch.HasStackTrace(gateway.Output) ? "a stack trace" : null);
    }
}
