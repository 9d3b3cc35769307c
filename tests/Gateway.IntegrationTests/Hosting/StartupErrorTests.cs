using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Every bad input of issue 10 at start-up, on the real executable: exit 2, the field and the reason
/// on standard error, no stack trace, and no container left (or, for a port in use, none ever run).
/// </summary>
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-startup-").FullName;
    private readonly string _marker;

    public StartupErrorTests() => _marker = Path.Combine(_dir, $"hosting-row-{Guid.NewGuid():N}");

    public void Dispose()
    {
        foreach (var pid in GatewayLaunch.ProcessesWith(_marker))
        {
            GatewayProcess.Signal(pid, "KILL");
        }

        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string> Rows => BadInputs.Names();

    private async Task<(int Exit, string Output)> RunAsync(BadInputs.Row? row, int proxyPort, int adminPort)
    {
        var (settings, manifest) = BadInputs.Files(row, proxyPort, adminPort, BadInputs.MarkerCommand(_marker));
        var settingsPath = Path.Combine(_dir, "appsettings.json");
        await File.WriteAllTextAsync(settingsPath, settings);
        await File.WriteAllTextAsync(Path.Combine(_dir, BadInputs.ManifestName), manifest);
        await using var gateway = GatewayLaunch.Start(settingsPath);
        return (await gateway.ExitAsync(TimeSpan.FromSeconds(15)), gateway.Output);
    }

    private void AssertRefused(int exit, string output, string expected)
    {
        Assert.True(exit == 2, $"exit {exit}, not 2:\n{output}");
        Assert.True(Regex.IsMatch(output, expected), $"no match for {expected} in:\n{output}");
        GatewayLaunch.AssertNoStackTrace(output);
        Assert.Empty(GatewayLaunch.ProcessesWith(_marker));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Start_BadInput_Exit2NamingTheFieldAndNothingLeft(string name)
    {
        var row = BadInputs.Named(name);

        var (exit, output) = await RunAsync(row, FreePort.Get(), FreePort.Get());

        AssertRefused(exit, output, row.Expected);
    }

    [Theory]
    [InlineData("Proxy")]
    [InlineData("Admin")]
    public async Task Start_ListenerPortInUse_Exit2NamingTheHolderAndNoContainerEverRan(string listener)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var (proxyPort, adminPort) = listener == "Proxy" ? (taken, FreePort.Get()) : (FreePort.Get(), taken);

        var (exit, output) = await RunAsync(null, proxyPort, adminPort);

        AssertRefused(exit, output,
            $@"gateway: Gateway:{listener}:Urls: cannot listen on http://127\.0\.0\.1:{taken}: address already in use, held by pid {Environment.ProcessId} \([^\n]+\); stop it or choose another port");
        Assert.False(File.Exists(_marker + ".ran"), "a container started before the listeners were bound");
    }

    /// <summary>The valid files run; SIGTERM stops them at once, also with the longest grace period accepted (the pods end on SIGTERM).</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(2_592_000)] // the longest grace period the gateway accepts (30 days)
    public async Task Start_ValidFiles_RunsItsPodsAndStopsWithExit0(int gracePeriodSeconds)
    {
        var (settings, manifest) = BadInputs.Files(null, FreePort.Get(), FreePort.Get(), BadInputs.MarkerCommand(_marker));
        var settingsPath = Path.Combine(_dir, "appsettings.json");
        await File.WriteAllTextAsync(settingsPath, settings);
        await File.WriteAllTextAsync(Path.Combine(_dir, BadInputs.ManifestName),
            manifest.Replace("terminationGracePeriodSeconds: 5", $"terminationGracePeriodSeconds: {gracePeriodSeconds}", StringComparison.Ordinal));
        await using var gateway = GatewayLaunch.Start(settingsPath);

        Assert.True(await gateway.RunningAsync(BadInputs.AdminPortOf(settings), TimeSpan.FromSeconds(30)), gateway.Output);
        await Poll.UntilAsync(() => Task.FromResult(GatewayLaunch.ProcessesWith(_marker).Count == 2), "the two pods of the valid files");

        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
        GatewayLaunch.AssertNoStackTrace(gateway.Output);
        Assert.Empty(GatewayLaunch.ProcessesWith(_marker));
    }
}
