using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Kubernetes;

/// <summary>
/// A Kubernetes service against <see cref="FakeApiServer"/>: the gateway reads a kubeconfig that the
/// test writes, lists and watches the Service's EndpointSlices, and routes to real demo backends.
/// </summary>
public sealed class KubernetesRuntimeTests : IAsyncLifetime
{
    private const string Service = "shop";
    private FakeApiServer _api = null!;
    private DemoBackendProcess _a = null!;
    private DemoBackendProcess _b = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _a = await DemoBackendProcess.StartAsync("shop-a");
        _b = await DemoBackendProcess.StartAsync("shop-b");
        _dir = Directory.CreateTempSubdirectory("gateway-kube-").FullName;
    }

    public async Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        await _api.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<GatewayProcess> StartGatewayAsync(string probe = "") => GatewayProcess.StartAsync($$"""
        { "web": { "Runtime": "Kubernetes", "Namespace": "default", "Service": "{{Service}}", "Port": "http" {{probe}} } }
        """, _dir, extraArgs: [$"--Gateway:Kubernetes:Kubeconfig={_api.WriteKubeconfig(_dir)}"]);

    private void Set(DemoBackendProcess backend, bool ready, bool? serving = null, bool? terminating = null) =>
        _api.Upsert(FakeApiServer.Slice($"{Service}-{backend.Port}", Service, backend == _a ? "shop-a" : "shop-b", backend.Port, ready, serving, terminating));

    private void Remove(DemoBackendProcess backend) => _api.Delete($"{Service}-{backend.Port}");

    /// <summary>Who answers <paramref name="count"/> requests in a row: pod names, or the status code.</summary>
    private static async Task<HashSet<string>> AnswersAsync(GatewayProcess gateway, int count = 12)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            using var response = await gateway.Proxy.GetAsync("/");
            seen.Add(response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync()).Trim().Replace("hello from ", "", StringComparison.Ordinal) : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return seen;
    }

    /// <summary>The requests <paramref name="backend"/> has served, from its <c>/stats</c>: no probe runs here, so each is a routed request.</summary>
    private static async Task<long> RequestsAsync(DemoBackendProcess backend) =>
        long.Parse((await backend.Http.GetStringAsync("/stats")).Replace("requests ", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The names of the EndpointSlices the gateway routes by, one per service and port.</summary>
    private static async Task<List<string>> RoutedSlicesAsync(GatewayProcess gateway) =>
        [.. k8s.KubernetesJson.Deserialize<k8s.Models.V1EndpointSliceList>(await gateway.Admin.GetStringAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")).Items.Select(s => s.Metadata.Name)];

    private static Task UntilAnswersAsync(GatewayProcess gateway, string[] expected, string what) =>
        Poll.UntilAsync(async () => (await AnswersAsync(gateway)).SetEquals(expected), $"{what}: answers from [{string.Join(", ", expected)}]\n{gateway.Output}");

    [Fact]
    public async Task ServiceAddedThenRemovedByAReload_IsWatchedThenDropped()
    {
        Set(_a, ready: true);
        await using var gateway = await GatewayProcess.StartAsync("{}", _dir, extraArgs: [$"--Gateway:Kubernetes:Kubeconfig={_api.WriteKubeconfig(_dir)}"]);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Proxy.GetAsync("/")).StatusCode);

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings($$"""
            { "web": { "Runtime": "Kubernetes", "Service": "{{Service}}", "Port": "http" } }
            """, gateway.ProxyPort, gateway.AdminPort));
        await UntilAnswersAsync(gateway, ["shop-a"], "the service the reload added");

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings("{}", gateway.ProxyPort, gateway.AdminPort));
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).StatusCode == HttpStatusCode.NotFound, "the service the reload removed");
        // The route goes when the reload applies; the controller stops the service's watch and drops its endpoints just after.
        await Poll.UntilAsync(async () => !(await gateway.Admin.GetStringAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")).Contains("shop", StringComparison.Ordinal),
            "the removed service's endpoint slices gone");
    }

    [Fact]
    public async Task EndpointConditions_ReadyNotReadyTerminatingGone_RoutingFollowsWithoutAFailedRequest()
    {
        Set(_a, ready: true);
        Set(_b, ready: false);
        await using var gateway = await StartGatewayAsync();

        await UntilAnswersAsync(gateway, ["shop-a"], "only the ready endpoint");
        Set(_b, ready: true);
        await UntilAnswersAsync(gateway, ["shop-a", "shop-b"], "both ready endpoints");

        // Slow requests in flight on both (round robin: two each), then load, while shop-a terminates and then goes.
        var (a, b) = (await RequestsAsync(_a), await RequestsAsync(_b));
        var slow = Enumerable.Range(0, 4).Select(_ => gateway.Proxy.GetAsync("/slow?ms=1500")).ToList();
        await Poll.UntilAsync(async () => await RequestsAsync(_a) >= a + 2 && await RequestsAsync(_b) >= b + 2, "two slow requests in flight on each backend");
        await using var load = new LoadGenerator(gateway.Proxy.BaseAddress!);

        Set(_a, ready: false, serving: true, terminating: true);
        await UntilAnswersAsync(gateway, ["shop-b"], "no new request to the terminating endpoint");
        var slowAnswers = await Task.WhenAll(slow);
        Remove(_a);
        await Poll.UntilAsync(async () => !(await RoutedSlicesAsync(gateway)).Contains($"web-{_a.Port}"), "the removed endpoint gone from routing");
        await load.WaitForMoreAsync(200);
        var (sent, failed) = await load.StopAsync();

        Assert.All(slowAnswers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(failed == 0, $"{failed} of {sent} requests failed:\n{load.FailureSample}");
        Assert.Equal(["shop-b"], await AnswersAsync(gateway));

        // None ready: serving-and-terminating endpoints get the requests; none at all: 503.
        Set(_b, ready: false);
        Set(_a, ready: false, serving: true, terminating: true);
        await UntilAnswersAsync(gateway, ["shop-a"], "the serving, terminating endpoint when none is ready");
        Remove(_a);
        Remove(_b);
        await UntilAnswersAsync(gateway, ["503"], "503 when the Service has no endpoint");
    }

    [Fact]
    public async Task Watch_BookmarkDropGoneAndOutage_ResumesRelistsAndKeepsRouting()
    {
        Set(_a, ready: true);
        await using var gateway = await StartGatewayAsync();
        await UntilAnswersAsync(gateway, ["shop-a"], "the first endpoint");
        await Poll.UntilAsync(() => Task.FromResult(_api.Requests.Any(r => r.StartsWith("WATCH", StringComparison.Ordinal))), "a watch");

        // A bookmark moves the resourceVersion; a dropped watch resumes from it.
        var bookmark = _api.Bookmark();
        await Task.Delay(300);
        _api.DropWatches();
        await Poll.UntilAsync(() => Task.FromResult(_api.Requests.Contains($"WATCH rv={bookmark}")), $"a watch from the bookmark's resourceVersion {bookmark}: {string.Join(", ", _api.Requests)}");
        Assert.Equal(1, _api.Lists);

        // 410 Gone on the open watch forces a relist, which finds what changed meanwhile.
        _api.Compact();
        Set(_b, ready: true);
        await Poll.UntilAsync(() => Task.FromResult(_api.Lists >= 2), "a relist after 410 Gone");
        await UntilAnswersAsync(gateway, ["shop-a", "shop-b"], "the endpoint added around the relist");

        // A watch from a compacted resourceVersion is answered with 410 too.
        _api.DropWatches();
        Set(_b, ready: false);
        _api.Compact();
        await Poll.UntilAsync(() => Task.FromResult(_api.Lists >= 3), "a relist after a watch from a compacted resourceVersion");
        await UntilAnswersAsync(gateway, ["shop-a"], "the endpoint that became not ready during the drop");
        Set(_b, ready: true);
        await UntilAnswersAsync(gateway, ["shop-a", "shop-b"], "both again");

        // The API server unreachable: the last known endpoints keep routing, /readyz and events say so.
        _api.Unreachable = true;
        _api.DropWatches();
        // The gateway goes on serving the last known endpoints, so /readyz stays 200 and lists the failed check.
        var readyz = "";
        await Poll.UntilAsync(async () => (readyz = await gateway.Admin.GetStringAsync("/readyz")).Contains("[-]", StringComparison.Ordinal), "/readyz to say the API server is unreachable");
        Assert.Contains("cannot watch the EndpointSlices of Service default/shop", readyz, StringComparison.Ordinal);
        Assert.Contains("last known 2 endpoint(s)", readyz, StringComparison.Ordinal);
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "WatchFailed" && e.InvolvedObject.Kind == "Service" && e.InvolvedObject.Name == Service);
        Assert.Equal(["shop-a", "shop-b"], await AnswersAsync(gateway));

        Remove(_b);
        _api.Unreachable = false;
        await Poll.UntilAsync(async () => await gateway.Admin.GetStringAsync("/readyz") == "ok\n", "/readyz once the API server answers", TimeSpan.FromSeconds(20));
        await UntilAnswersAsync(gateway, ["shop-a"], "the change made during the outage");
        Assert.Contains(await gateway.GetEventsAsync(), e => e.Reason == "WatchResumed");
    }

    [Fact]
    public async Task GatewaySideProbe_FailsWhileKubeletSaysReady_EndpointOut()
    {
        Set(_a, ready: true);
        Set(_b, ready: true);
        await using var gateway = await StartGatewayAsync("""
            , "ReadinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1, "failureThreshold": 1 }
            """);
        await UntilAnswersAsync(gateway, ["shop-a", "shop-b"], "both endpoints after their first probe success");

        (await _b.Http.PostAsync("/admin/fail-readiness", null)).EnsureSuccessStatusCode();
        await UntilAnswersAsync(gateway, ["shop-a"], "the endpoint whose gateway-side probe fails is out");

        (await _b.Http.PostAsync("/admin/recover", null)).EnsureSuccessStatusCode();
        await UntilAnswersAsync(gateway, ["shop-a", "shop-b"], "the endpoint back after its probe succeeds");
    }
}
