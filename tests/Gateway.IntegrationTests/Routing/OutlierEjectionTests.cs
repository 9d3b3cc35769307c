using System.Diagnostics;
using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// A pod that answers 500 to every request while its readiness probe passes: after its fifth 5xx in
/// a row the gateway ejects it (an <c>Ejected</c> event and <c>gateway_pod_ejections_total</c> say
/// why), the other pods take its share, and after the ejection time it gets requests again.
/// </summary>
public sealed class OutlierEjectionTests
{
    private static readonly TimeSpan EjectionTime = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task PodAnswering500_EjectedAfterFiveInARow_BackAfterTheEjectionTime()
    {
        var services = DemoService.Services(DemoService.Member("web", replicas: 3)).Replace(
            "\"web\": {", "\"web\": { \"Outlier\": { \"BaseEjectionTime\": \"2s\" },", StringComparison.Ordinal);
        await using var gateway = await GatewayProcess.StartAsync(services);
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 3 && p.All(x => x.Status.ContainerStatuses?.All(c => c.Ready) == true), "three ready pods");
        var names = pods.Select(p => p.Metadata.Name).ToHashSet();
        var seen = new HashSet<string>();
        await Poll.UntilAsync(async () =>
        {
            seen.Add((await gateway.Proxy.GetStringAsync("/")).Trim().Replace("hello from ", "", StringComparison.Ordinal));
            return seen.IsSupersetOf(names);
        }, "every pod routed");

        var outlier = pods[0];
        var port = outlier.Spec.Containers[0].Ports[0].HostPort;
        using var direct = new HttpClient();
        (await direct.PostAsync($"http://127.0.0.1:{port}/admin/fail-requests", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync($"http://127.0.0.1:{port}/readyz")).StatusCode);

        // Real load through the proxy until the fifth 500, then for most of the ejection time.
        var fivexx = 0;
        for (var i = 0; fivexx < 5; i++)
        {
            Assert.True(i < 500, $"only {fivexx} 500s in {i} requests");
            using var response = await gateway.Proxy.GetAsync("/");
            fivexx += response.StatusCode == HttpStatusCode.InternalServerError ? 1 : 0;
        }

        var ejected = Stopwatch.StartNew();
        int after = 0, ok = 0;
        while (ejected.Elapsed < EjectionTime * 0.75)
        {
            using var response = await gateway.Proxy.GetAsync("/");
            after++;
            ok += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.True(after >= 50, $"only {after} requests in {ejected.Elapsed}");
        Assert.True(ok >= after * 0.95, $"{ok} of {after} requests after the fifth 5xx succeeded\n{gateway.Output}");

        var events = await gateway.GetEventsAsync();
        var ejectedEvent = Assert.Single(events, e => e.Reason == "Ejected" && e.InvolvedObject.Name == outlier.Metadata.Name);
        Assert.StartsWith("5 consecutive 5xx responses: out of rotation for 2s (ejection 1), back at ", ejectedEvent.Message, StringComparison.Ordinal);
        Assert.Equal("Warning", ejectedEvent.Type);

        // The pod recovers while it is out: it is back in rotation at the end of its ejection, not before.
        (await direct.PostAsync($"http://127.0.0.1:{port}/admin/recover", null)).EnsureSuccessStatusCode();
        var backAfter = TimeSpan.Zero;
        await Poll.UntilAsync(async () =>
        {
            var body = await gateway.Proxy.GetStringAsync("/");
            backAfter = ejected.Elapsed;
            return body.Contains(outlier.Metadata.Name, StringComparison.Ordinal);
        }, "the ejected pod answering through the proxy again");
        Assert.True(backAfter >= EjectionTime - TimeSpan.FromMilliseconds(300), $"back after {backAfter}, before its ejection time of {EjectionTime}");

        // The exporter caches a scrape for 300 ms: poll for one made after the ejection.
        await Poll.UntilAsync(async () => (await gateway.Admin.GetStringAsync("/metrics")).Split('\n').Any(l =>
            l.StartsWith("gateway_pod_ejections_total{", StringComparison.Ordinal) && l.Contains("reason=\"consecutive_5xx\"", StringComparison.Ordinal)
            && l.Contains("service=\"web\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)), "gateway_pod_ejections_total of the ejection");
    }
}
