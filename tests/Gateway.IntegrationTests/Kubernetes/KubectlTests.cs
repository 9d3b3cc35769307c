using System.Diagnostics;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Kubernetes;

/// <summary>The real kubectl (Debian's <c>kubernetes-client</c>) reading a running gateway's admin API.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("gateway-kubectl-").FullName;
    private GatewayProcess? _gateway;

    private static string? Kubectl { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_home, recursive: true);
    }

    [SkippableFact]
    public async Task Kubectl_GetPodsEventsEndpointSlicesLogsAndYaml_ReadTheGateway()
    {
        if (Kubectl is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("GATEWAY_REQUIRE_TOOLS") == "1", "kubectl is not on PATH and GATEWAY_REQUIRE_TOOLS=1: apt-get install kubernetes-client");
            Skip.If(true, "kubectl is not installed (apt-get install kubernetes-client)");
        }

        _gateway = await GatewayProcess.StartAsync($$"""
            { "web": { "Replicas": 1, "Template": { "spec": { "containers": [ {
                "name": "web",
                "command": [ "dotnet", {{GatewayProcess.DemoDll}} ],
                "ports": [ { "name": "http", "containerPort": 8080 } ],
                "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 }
              } ] } } } }
            """);
        var pods = await _gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses[0].Ready, "one ready pod");
        var pod = pods[0].Metadata.Name;

        var table = Lines(await RunAsync("get", "pods"));
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([pod, "1/1", "Running", "0"], row[..4]);
        Assert.Matches("^[0-9]+[smh]", row[4]);

        var events = await RunAsync("get", "events");
        Assert.Matches("LAST SEEN +TYPE +REASON +OBJECT +MESSAGE", events);
        Assert.Contains($"pod/{pod}", events, StringComparison.Ordinal);
        Assert.Contains("Started", events, StringComparison.Ordinal);

        var slices = Lines(await RunAsync("get", "endpointslices"));
        Assert.Equal(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], slices[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var port = pods[0].Spec.Containers[0].Ports[0].HostPort;
        Assert.Equal([$"web-{port}", "IPv4", $"{port}", "127.0.0.1"], slices[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);

        Assert.Contains($"demo-backend listening on 127.0.0.1:{port} pod={pod}", await RunAsync("logs", pod, "-c", "web"), StringComparison.Ordinal);

        var yaml = await RunAsync("get", "pod", pod, "-o", "yaml");
        Assert.Contains("kind: Pod", yaml, StringComparison.Ordinal);
        Assert.Contains($"  name: {pod}", yaml, StringComparison.Ordinal);
        Assert.Contains("phase: Running", yaml, StringComparison.Ordinal);

        var missing = await RunAsync(expectSuccess: false, "get", "pod", "nosuch");
        Assert.Contains("pods \"nosuch\" not found", missing, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private Task<string> RunAsync(params string[] args) => RunAsync(expectSuccess: true, args);

    private async Task<string> RunAsync(bool expectSuccess, params string[] args)
    {
        var info = new ProcessStartInfo(Kubectl!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--server", $"http://127.0.0.1:{_gateway!.AdminPort}", "--cache-dir", Path.Combine(_home, "cache"), .. args])
        {
            info.ArgumentList.Add(arg);
        }

        // No user kubeconfig: the gateway is the only server kubectl knows.
        info.Environment["HOME"] = _home;
        info.Environment["KUBECONFIG"] = Path.Combine(_home, "no-kubeconfig");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var output = await stdout + await stderr;
        Assert.True(expectSuccess == (process.ExitCode == 0), $"kubectl {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
