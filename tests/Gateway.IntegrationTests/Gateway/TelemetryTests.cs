using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>Issue 6 on the real executable: the Prometheus scrape under restarts, a real Prometheus server, trace context to the backends.</summary>
public sealed class TelemetryTests
{
    /// <summary>A pod whose container exits 1 after <paramref name="crashAfter"/> s: restarted by policy Always, reason Error.</summary>
    private static string Crashing(string name, double crashAfter) => $$"""
        {
          "{{name}}": {
            "Template": { "spec": {
              "terminationGracePeriodSeconds": 2,
              "containers": [ {
                "name": "web",
                "command": [ "dotnet", {{GatewayProcess.DemoDll}} ],
                "args": [ "--crash-after", "{{crashAfter.ToString(CultureInfo.InvariantCulture)}}", "--exit-code", "1" ],
                "ports": [ { "name": "http", "containerPort": 8080 } ],
                "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 },
                "livenessProbe": { "httpGet": { "path": "/healthz", "port": "http" }, "periodSeconds": 1 }
              } ] } } }
        }
        """;

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }

    [SkippableFact]
    public async Task Metrics_WhilePodsRestart_PassPromtool()
    {
        var promtool = RequiredTool.Find("promtool", "prometheus");
        await using var gateway = await GatewayProcess.StartAsync(Crashing("crashy", 1.5));
        var scrapes = 0;
        var sawRestart = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(25);
        while (DateTime.UtcNow < deadline && !(sawRestart && scrapes >= 5))
        {
            var text = await gateway.Admin.GetStringAsync("/metrics");
            var (exitCode, output) = await RunAsync(promtool, text, "check", "metrics");
            Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}:\n{output}");
            scrapes++;
            sawRestart |= text.Contains("gateway_container_restarts_total{", StringComparison.Ordinal);
            await Task.Delay(500);
        }

        Assert.True(sawRestart, "no scrape showed gateway_container_restarts_total\n" + gateway.Output);
        await gateway.Proxy.GetAsync("/"); // a 200, or a 503 while the pod restarts: either is a proxied request
        var last = "";

        // The exporter caches a scrape for 300 ms: wait for one made after the request.
        await Poll.UntilAsync(async () => (last = await gateway.Admin.GetStringAsync("/metrics")).Contains("gateway_request_duration_seconds_bucket", StringComparison.Ordinal),
            "a scrape with the proxied request");
        Assert.Contains("reason=\"Error\"", last, StringComparison.Ordinal);
        foreach (var name in new[] { "gateway_probe_duration_seconds_bucket", "gateway_probe_results_total", "gateway_pods", "gateway_endpoints", "gateway_request_duration_seconds_bucket", "kestrel_active_connections", "dotnet_gc_collections_total" })
        {
            Assert.Contains(name, last, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task RequestMetrics_AfterAKnownNumberOfRequests_CountThemByServiceAndClass()
    {
        var promtool = RequiredTool.Find("promtool", "prometheus");
        using var backend = await DemoBackendProcess.StartAsync("counted");
        await using var gateway = await GatewayProcess.StartAsync($$"""{ "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ] } }""");
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the backend routed");
        var before = Series(await gateway.Admin.GetStringAsync("/metrics"));

        for (var i = 0; i < 7; i++)
        {
            (await gateway.Proxy.GetAsync("/")).EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await gateway.Proxy.GetAsync("/no-such-page")).StatusCode);
        }

        // Two answers of 500 from the pod: its failures.
        (await backend.Http.PostAsync("/admin/fail-liveness", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, (await gateway.Proxy.GetAsync("/healthz")).StatusCode);
        }

        // The exporter caches a scrape for 300 ms: wait for one made after the requests.
        var text = "";
        var after = before;
        double Delta(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);
        await Poll.UntilAsync(async () =>
        {
            text = await gateway.Admin.GetStringAsync("/metrics");
            after = Series(text);
            return Delta("gateway_request_duration_seconds_count{class=\"5xx\",service=\"web\"}") >= 2;
        }, "a scrape with the requests");
        Assert.Equal(7, Delta("gateway_request_duration_seconds_count{class=\"2xx\",service=\"web\"}"));
        Assert.Equal(3, Delta("gateway_request_duration_seconds_count{class=\"4xx\",service=\"web\"}"));
        Assert.Equal(2, Delta("gateway_request_duration_seconds_count{class=\"5xx\",service=\"web\"}"));
        var pod = $"pod=\"127.0.0.1:{backend.Port}\",service=\"web\"";
        Assert.Equal(12, Delta($"gateway_pod_requests_total{{{pod}}}"));
        Assert.Equal(2, Delta($"gateway_pod_request_failures_total{{{pod}}}"));
        Assert.Equal(0, after["gateway_requests_active{service=\"web\"}"]);
        Assert.DoesNotContain("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        var (exitCode, output) = await RunAsync(promtool, text, "check", "metrics");
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}:\n{output}");
    }

    /// <summary>A scrape's samples by series (name and labels, without the scope labels OpenTelemetry adds).</summary>
    private static Dictionary<string, double> Series(string scrape)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
        {
            var space = line.LastIndexOf(' ');
            var name = System.Text.RegularExpressions.Regex.Replace(line[..space], @"otel_scope_[a-z_]+=""[^""]*"",?", "").Replace(",}", "}", StringComparison.Ordinal);
            series[name] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return series;
    }

    [SkippableFact]
    public async Task Prometheus_ScrapingTheAdminPort_QueriesRestartsOfTheRestartedPod()
    {
        var prometheus = RequiredTool.Find("prometheus", "prometheus");
        await using var gateway = await GatewayProcess.StartAsync(Crashing("crashy", 1.5));
        var pods = await gateway.WaitForPodsAsync(p => p.Any(pod => pod.Status.ContainerStatuses?.Single().RestartCount >= 1), "a pod that restarted", TimeSpan.FromSeconds(30));
        var restarted = pods.First(pod => pod.Status.ContainerStatuses.Single().RestartCount >= 1).Metadata.Name;

        var directory = Directory.CreateTempSubdirectory("gateway-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: gateway
                static_configs:
                  - targets: ['127.0.0.1:{gateway.AdminPort}']
            """);
        var port = FreePort.Get();
        var info = new ProcessStartInfo(prometheus) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        using var server = Process.Start(info)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var query = Uri.EscapeDataString($"gateway_container_restarts_total{{pod=\"{restarted}\"}}");
            JsonElement result = default;
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    using var json = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/query?query={query}"));
                    result = json.RootElement.GetProperty("data").GetProperty("result").Clone();
                    return result.GetArrayLength() > 0;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, $"Prometheus returning gateway_container_restarts_total for {restarted}", TimeSpan.FromSeconds(30));

            var series = result[0];
            Assert.Equal("crashy", series.GetProperty("metric").GetProperty("service").GetString());
            Assert.Equal("web", series.GetProperty("metric").GetProperty("container").GetString());
            Assert.Equal("Error", series.GetProperty("metric").GetProperty("reason").GetString());
            Assert.True(double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture) >= 1);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Routing follows a pod's state as it is published, a moment after the pod list shows it Ready.</summary>
    private static Task RoutedAsync(GatewayProcess gateway) =>
        Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the ready pod routed");

    [Fact]
    public async Task ProxiedRequest_WithOtlpConfigured_CarriesTheCallersTraceAndANewParent()
    {
        // Tracing is on when OTLP is configured; nothing listens on that port, which the exporter survives.
        await using var gateway = await GatewayProcess.StartAsync(Crashing("web", 600), extraArgs: [$"--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{FreePort.Get()}"]);
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.Single().Ready == true, "the pod ready");
        await RoutedAsync(gateway);
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string CallerSpan = "00f067aa0ba902b7";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("traceparent", $"00-{TraceId}-{CallerSpan}-01");
        var echo = await (await gateway.Proxy.SendAsync(request)).Content.ReadAsStringAsync();

        var traceparent = echo.Split('\n').Single(line => line.StartsWith("traceparent: ", StringComparison.OrdinalIgnoreCase))["traceparent: ".Length..];
        var parts = traceparent.Split('-');
        Assert.Equal(TraceId, parts[1]);
        Assert.NotEqual(CallerSpan, parts[2]);
    }

    [Fact]
    public async Task ProxiedRequest_WithoutAnExporter_StillCarriesTheCallersTrace()
    {
        await using var gateway = await GatewayProcess.StartAsync(Crashing("web", 600));
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?.Single().Ready == true, "the pod ready");
        await RoutedAsync(gateway);
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");

        var echo = await (await gateway.Proxy.SendAsync(request)).Content.ReadAsStringAsync();

        var traceparent = echo.Split('\n').Single(line => line.StartsWith("traceparent: ", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(TraceId, traceparent.Split('-')[1]);
    }
}
