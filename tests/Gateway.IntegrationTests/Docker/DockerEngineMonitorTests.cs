using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Docker;

/// <summary>The engine monitor follows the configuration; it needs no engine: the endpoint is a socket that does not exist.</summary>
public sealed class DockerEngineMonitorTests
{
    private const string NoEngine = """ "Docker": { "Endpoint": "unix:///tmp/gateway-no-engine.sock" } """;

    private const string DockerService = """
        { "d": { "Runtime": "Docker", "Replicas": 1, "Template": { "spec": { "containers": [ { "name": "s", "image": "busybox:local", "command": [ "sleep", "600" ] } ] } } } }
        """;

    [Fact]
    public async Task DockerServiceAddedAndRemovedByAReload_EngineWatchedOnlyWhileConfigured()
    {
        await using var gateway = await GatewayProcess.StartAsync("{}", gatewayJson: NoEngine);

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings(DockerService, gateway.ProxyPort, gateway.AdminPort, NoEngine));
        await Poll.UntilAsync(async () => (await gateway.Admin.GetStringAsync("/readyz")).Contains("[-]docker failed: the Docker engine at unix:///tmp/gateway-no-engine.sock is not answering", StringComparison.Ordinal),
            "/readyz to report the engine of the Docker service the reload added");

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings("{}", gateway.ProxyPort, gateway.AdminPort, NoEngine));
        await Poll.UntilAsync(async () => await gateway.Admin.GetStringAsync("/readyz") == "ok\n", "/readyz clear once no Docker service is configured");
    }
}
