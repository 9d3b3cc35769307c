using Gateway.IntegrationTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Gateway.IntegrationTests.Static;

/// <summary>
/// A Static backend: two real demo servers at fixed addresses, probed by the gateway with the
/// kubelet's rules, under real load. The gateway restarts nothing; it routes to the addresses that
/// pass their readiness probe.
/// </summary>
public sealed class StaticBackendTests
{
    private const string Probe = """
        , "ReadinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1, "failureThreshold": 1 }
        """;

    private static string Web(DemoBackendProcess a, DemoBackendProcess b, string probe = Probe) => $$"""
        { "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{a.Port}}", "http://127.0.0.1:{{b.Port}}" ] {{probe}} } }
        """;

    /// <summary>The readiness routing gives each address, by port, as the admin API's EndpointSlices show it.</summary>
    private static async Task<Dictionary<int, bool>> ReadinessAsync(GatewayProcess gateway)
    {
        var slices = KubernetesJson.Deserialize<V1EndpointSliceList>(await gateway.Admin.GetStringAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"));
        return slices.Items
            .Where(s => s.Metadata.Labels["kubernetes.io/service-name"] == "web")
            .SelectMany(s => s.Endpoints.Select(e => (Port: s.Ports[0].Port!.Value, Ready: e.Conditions.Ready == true)))
            .ToDictionary(e => e.Port, e => e.Ready);
    }

    private static Task WaitForReadinessAsync(GatewayProcess gateway, Func<Dictionary<int, bool>, bool> condition, string what) =>
        Poll.UntilAsync(async () => condition(await ReadinessAsync(gateway)), what, TimeSpan.FromSeconds(20));

    /// <summary>Who answered <paramref name="count"/> requests through the gateway, by the backend's name.</summary>
    private static async Task<Dictionary<string, int>> AnswersAsync(GatewayProcess gateway, int count)
    {
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var body = (await gateway.Proxy.GetStringAsync("/")).Trim();
            answers[body] = answers.GetValueOrDefault(body) + 1;
        }

        return answers;
    }

    private static void AssertNoFailure((long Sent, long Failed) result, LoadGenerator load)
    {
        Assert.True(result.Sent > 100, $"only {result.Sent} requests were sent");
        Assert.True(result.Failed == 0, $"{result.Failed} of {result.Sent} requests failed:\n{load.FailureSample}");
    }

    [Fact]
    public async Task OneOfTwoServersStops_NoRequestFailsAndItIsRoutedAgainWhenBack()
    {
        using var a = await DemoBackendProcess.StartAsync("static-a");
        using var b = await DemoBackendProcess.StartAsync("static-b");
        await using var gateway = await GatewayProcess.StartAsync(Web(a, b));
        await WaitForReadinessAsync(gateway, r => r.Count == 2 && r.Values.All(ready => ready), "both addresses ready");
        Assert.Equal(["hello from static-a", "hello from static-b"], (await AnswersAsync(gateway, 10)).Keys.Order(StringComparer.Ordinal));

        await using var load = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 8);
        await load.WaitForMoreAsync(300);
        await a.KillAsync();
        await WaitForReadinessAsync(gateway, r => r.TryGetValue(a.Port, out var ready) && !ready, "the stopped address not ready");
        await load.WaitForMoreAsync(300);
        AssertNoFailure(await load.StopAsync(), load);
        Assert.Equal(["hello from static-b"], (await AnswersAsync(gateway, 10)).Keys);

        using var back = await DemoBackendProcess.StartOnPortAsync(a.Port, "static-a-again");
        await WaitForReadinessAsync(gateway, r => r[a.Port], "the address ready again");
        Assert.Contains("hello from static-a-again", (await AnswersAsync(gateway, 10)).Keys);
    }

    [Fact]
    public async Task ReadinessProbeFails_AddressOutOfRotationUntilItPasses()
    {
        using var a = await DemoBackendProcess.StartAsync("static-a");
        using var b = await DemoBackendProcess.StartAsync("static-b");
        await using var gateway = await GatewayProcess.StartAsync(Web(a, b));
        await WaitForReadinessAsync(gateway, r => r.Count == 2 && r.Values.All(ready => ready), "both addresses ready");

        (await a.Http.PostAsync("/admin/fail-readiness", null)).EnsureSuccessStatusCode();
        await WaitForReadinessAsync(gateway, r => !r[a.Port] && r[b.Port], "only the failing address not ready");

        // Round robin over two would give a every other request: 20 to b alone shows it is out.
        Assert.Equal(new Dictionary<string, int> { ["hello from static-b"] = 20 }, await AnswersAsync(gateway, 20));
        var events = await gateway.GetEventsAsync();
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.InvolvedObject.Kind == "Endpoint" && e.InvolvedObject.Name == $"127.0.0.1:{a.Port}"
            && e.Message.StartsWith("Readiness probe failed: HTTP probe failed with statuscode: 503", StringComparison.Ordinal));

        (await a.Http.PostAsync("/admin/recover", null)).EnsureSuccessStatusCode();
        await WaitForReadinessAsync(gateway, r => r[a.Port], "the address ready again");
        Assert.Contains("hello from static-a", (await AnswersAsync(gateway, 10)).Keys);
    }

    [Fact]
    public async Task NoReadinessProbe_EveryAddressReadyAndAStoppedOneCostsNoRequest()
    {
        using var a = await DemoBackendProcess.StartAsync("static-a");
        using var b = await DemoBackendProcess.StartAsync("static-b");
        await using var gateway = await GatewayProcess.StartAsync(Web(a, b, probe: ""));
        await WaitForReadinessAsync(gateway, r => r.Count == 2 && r.Values.All(ready => ready), "both addresses ready");

        await using var load = new LoadGenerator(gateway.Proxy.BaseAddress!, clients: 8);
        await load.WaitForMoreAsync(300);
        await a.KillAsync();

        // Without a probe only fast ejection keeps the stopped server's requests from failing: each
        // connect failure is retried on b and takes a out of rotation for a second at a time.
        await load.WaitForMoreAsync(1000);
        AssertNoFailure(await load.StopAsync(), load);
    }
}
