using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>The gateway's logging defaults: a user's settings file rarely has a <c>Logging</c> section.</summary>
public sealed class LoggingDefaultsTests
{
    /// <summary>What ASP.NET Core's hosting and YARP's forwarder log per request at Information.</summary>
    private static readonly string[] PerRequestLines = ["Request starting", "Request finished", "Proxying to", "Received HTTP/"];

    [Fact]
    public async Task NoLoggingSection_ProxiedRequestsLogNothing()
    {
        using var backend = await DemoBackendProcess.StartAsync("quiet");
        var services = $$"""
            { "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ],
                       "ReadinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1, "failureThreshold": 1 } } }
            """;
        await using var gateway = await GatewayProcess.StartAsync(services, loggingSection: false);
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the backend routed");

        for (var i = 0; i < 50; i++)
        {
            (await gateway.Proxy.GetAsync("/")).EnsureSuccessStatusCode();
        }

        // A line logged after the requests, through the same console logger: any per-request line
        // would have been written before it.
        (await backend.Http.PostAsync("/admin/fail-readiness", null)).EnsureSuccessStatusCode();
        var marker = $"pod 127.0.0.1:{backend.Port}: container static: readiness probe result is now Failure";
        await Poll.UntilAsync(() => Task.FromResult(gateway.Output.Contains(marker, StringComparison.Ordinal)), "the probe's log line", TimeSpan.FromSeconds(20));

        Assert.All(PerRequestLines, line => Assert.DoesNotContain(line, gateway.Output, StringComparison.Ordinal));
    }
}
