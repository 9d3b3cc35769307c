using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Capacity;

/// <summary>A Process container sees its own environment, not the gateway's.</summary>
public sealed class ContainerEnvironmentTests
{
    [Fact]
    public async Task ProcessContainerPrintingItsEnvironment_SeesItsEnvAndTheGatewaysVariablesButNotTheGatewaysSecret()
    {
        const string Secret = "GATEWAY_IT_DB_PASSWORD";
        var marker = Sleepers.NewMarker();
        var services = $$"""
            { "printenv": {
                "Template": { "spec": {
                  "terminationGracePeriodSeconds": 2,
                  "containers": [ {
                    "name": "env",
                    "command": [ "/bin/sh", "-c", "env; exec /bin/sleep 3600 {{marker}}" ],
                    "env": [ { "name": "GREETING", "value": "hello" } ],
                    "ports": [ { "name": "http", "containerPort": 8080 } ] } ] } } } }
            """;
        GatewayProcess gateway;
        Environment.SetEnvironmentVariable(Secret, "hunter2-it");
        try
        {
            gateway = await GatewayProcess.StartAsync(services);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Secret, null);
        }

        await using var _ = gateway;
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Running", "the pod running"))[0];
        var log = "";
        await Poll.UntilAsync(async () => (log = await gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/log")).Contains("GREETING=hello", StringComparison.Ordinal),
            "the environment in the container's log");

        var variables = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(Secret, variables);
        Assert.DoesNotContain("hunter2-it", log, StringComparison.Ordinal);
        Assert.Contains($"POD_NAME={pod.Metadata.Name}", log, StringComparison.Ordinal);
        Assert.Contains($"PORT={pod.Spec.Containers[0].Ports[0].HostPort}", log, StringComparison.Ordinal);
        Assert.Contains("PORT_HTTP=", log, StringComparison.Ordinal);
        Assert.Contains("GATEWAY_CONFIG_DIR=", log, StringComparison.Ordinal);
        Assert.Contains("PATH", variables);
        Assert.True(variables.IsSubsetOf(["PATH", "HOME", "LANG", "TZ", "DOTNET_ROOT", "PWD", "SHLVL", "_", "GREETING", "POD_NAME", "POD_NAMESPACE", "POD_IP", "PORT", "PORT_HTTP", "GATEWAY_CONFIG_DIR", "TERMINATION_MESSAGE_PATH"]),
            $"unexpected variables: {string.Join(' ', variables)}");
    }
}
