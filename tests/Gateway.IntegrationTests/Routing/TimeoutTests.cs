using System.Diagnostics;
using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>A backend that is slower than the service's timeouts allow: the client gets a 504 at the timeout, naming the service and the pod.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task SlowBackend_AnsweredWithA504AtTheConfiguredTimeout()
    {
        var services = DemoService.Services(DemoService.Member("web", replicas: 1)).Replace(
            "\"web\": {", "\"web\": { \"Timeouts\": { \"Request\": \"3s\", \"BackendRequest\": \"1s\" },", StringComparison.Ordinal);
        await using var gateway = await GatewayProcess.StartAsync(services);
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.All(c => c.Ready) == true, "the pod ready"))[0].Metadata.Name;

        using var quick = await gateway.Proxy.GetAsync("/slow?ms=100");
        Assert.Equal(HttpStatusCode.OK, quick.StatusCode);

        var clock = Stopwatch.StartNew();
        using var slow = await gateway.Proxy.GetAsync("/slow?ms=20000");
        var took = clock.Elapsed;

        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.Equal($"gateway timeout: service web, pod {pod}, did not answer within 1s (Timeouts:BackendRequest)\n", await slow.Content.ReadAsStringAsync());
        Assert.True(took >= TimeSpan.FromSeconds(1) && took < TimeSpan.FromSeconds(10), $"answered after {took}");
    }
}
