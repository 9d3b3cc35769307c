using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// One gateway for the kubectl tests of a class, its admin listener on https (kubectl sends the token
/// only over TLS, and writes need it): two <c>web</c> pods labelled <c>tier=demo</c> and one
/// <c>other</c> pod, each with a readiness probe the demo backend can be told to fail.
/// </summary>
public sealed class KubectlGateway : IAsyncLifetime
{
    private GatewayProcess? _gateway;

    internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<string> WebPods { get; private set; } = [];

    public string OtherPod { get; private set; } = "";

    internal static string Service(string name, int replicas, string labels) => $$"""
        "{{name}}": { "Route": { "Path": "/{{name}}/{**catch-all}" }, "Replicas": {{replicas}}, "Template": { "metadata": { "labels": { {{labels}} } }, "spec": {
            "containers": [ { "name": "web", "command": [ "dotnet", {{GatewayProcess.DemoDll}} ], "ports": [ { "containerPort": 8080 } ],
              "readinessProbe": { "httpGet": { "path": "/readyz", "port": 8080 }, "periodSeconds": 1 } } ] } } }
        """;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync($"{{ {Service("web", 2, "\"tier\": \"demo\"")}, {Service("other", 1, "")} }}", adminHost: "127.0.0.1", adminScheme: "https");
        var pods = await _gateway.WaitForPodsAsync(p => p.Count == 3 && p.All(pod => pod.Status.ContainerStatuses?.All(c => c.Ready) == true), "three ready pods");
        WebPods = [.. pods.Where(p => p.Metadata.Labels["app"] == "web").Select(p => p.Metadata.Name)];
        OtherPod = pods.Single(p => p.Metadata.Labels["app"] == "other").Metadata.Name;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
