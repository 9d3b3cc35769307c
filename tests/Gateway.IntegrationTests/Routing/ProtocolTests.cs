using System.Diagnostics;
using System.Net;
using DemoBackend.Grpc;
using Gateway.IntegrationTests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// HTTP/2 at the front door and behind it: the proxy listener speaks HTTP/1.1 and h2c on one
/// cleartext port (real curl, both ways), and a gRPC service's pods are reached over h2c, unary and
/// server-streaming calls included, through the gateway; with no ready pod a gRPC client gets
/// UNAVAILABLE, the status it retries on.
/// </summary>
public sealed class ProtocolTests
{
    /// <summary>A service of demo backends whose routed (first) port is named <c>grpc</c>: its Protocol follows from that name.</summary>
    private static string GrpcService(int replicas, string protocol = "") => $$"""
        { "grpc": { "Route": { "Path": "/demo.Demo/{**rest}" }, "Replicas": {{replicas}},{{protocol}}
            "Template": { "spec": { "terminationGracePeriodSeconds": 3, "containers": [ {
              "name": "grpc",
              "command": [ "dotnet", {{GatewayProcess.DemoDll}} ],
              "args": [ "--port", "$(PORT_HTTP)", "--grpc-port", "$(PORT_GRPC)" ],
              "ports": [ { "name": "grpc", "containerPort": 9000 }, { "name": "http", "containerPort": 8080 } ],
              "readinessProbe": { "grpc": { "port": 9000 }, "periodSeconds": 1 } } ] } } },
          "web": { "Route": { "Path": "/{**rest}" }, "Replicas": 1,
            "Template": { "spec": { "terminationGracePeriodSeconds": 3, "containers": [ {
              "name": "web",
              "command": [ "dotnet", {{GatewayProcess.DemoDll}} ],
              "ports": [ { "name": "http", "containerPort": 8080 } ],
              {{DemoService.Readiness}} } ] } } } }
        """;

    private static bool Ready(k8s.Models.V1Pod pod) => pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    [SkippableFact]
    public async Task ProxyListener_Http1AndH2cOnOnePort_BothAnswered()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await using var gateway = await GatewayProcess.StartAsync(GrpcService(replicas: 0));
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p.All(Ready), "the web pod ready");
        var url = $"http://127.0.0.1:{gateway.ProxyPort}/";

        var (code, h2) = await RunAsync(curl, "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}", url);
        Assert.True(code == 0, h2);
        Assert.EndsWith("\n2 200", h2, StringComparison.Ordinal);
        Assert.StartsWith("hello from web-", h2, StringComparison.Ordinal);

        var (code1, h1) = await RunAsync(curl, "-sS", "--http1.1", "-w", "\n%{http_version} %{http_code}", url);
        Assert.True(code1 == 0, h1);
        Assert.EndsWith("\n1.1 200", h1, StringComparison.Ordinal);

        // .NET's client too, several requests on one HTTP/2 connection.
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal((HttpVersion.Version20, HttpStatusCode.OK), (response.Version, response.StatusCode));
        }
    }

    [Fact]
    public async Task GrpcService_UnaryAndServerStreaming_ThroughTheGateway()
    {
        await using var gateway = await GatewayProcess.StartAsync(GrpcService(replicas: 2));
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 3 && p.All(Ready), "the grpc and web pods ready");
        var grpcPods = pods.Where(p => p.Metadata.Name.StartsWith("grpc-", StringComparison.Ordinal)).Select(p => p.Metadata.Name).ToHashSet();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{gateway.ProxyPort}");
        var client = new Demo.DemoClient(channel);

        var answered = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            var reply = await client.HelloAsync(new HelloRequest { Name = "gateway" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal("hello gateway", reply.Message);
            answered.Add(reply.Pod);
        }

        Assert.Equal(grpcPods, answered);

        // A server stream: every message, in order, from one pod, paced by the backend.
        using var call = client.Count(new CountRequest { To = 20, IntervalMs = 20 }, deadline: DateTime.UtcNow.AddSeconds(20));
        var numbers = new List<int>();
        var from = new HashSet<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            numbers.Add(message.N);
            from.Add(message.Pod);
        }

        Assert.Equal(Enumerable.Range(1, 20), numbers);
        Assert.Single(from);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);

        // The backend's own gRPC errors pass through as they are.
        var invalid = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var bad = client.Count(new CountRequest { To = -1 });
            await bad.ResponseStream.MoveNext();
        });
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task GrpcService_NoReadyPod_Unavailable()
    {
        await using var gateway = await GatewayProcess.StartAsync(GrpcService(replicas: 0, protocol: """ "Protocol": "grpc", """));
        await gateway.WaitForPodsAsync(p => p.Count == 1 && p.All(Ready), "the web pod ready");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{gateway.ProxyPort}");

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Demo.DemoClient(channel).HelloAsync(new HelloRequest { Name = "x" }).ResponseAsync);

        Assert.True(refused.StatusCode == StatusCode.Unavailable, refused.ToString());
        Assert.Equal("no ready pod for service grpc", refused.Status.Detail);

        // A plain HTTP client asking the same path still gets the HTTP answer.
        using var plain = await gateway.Proxy.GetAsync("/demo.Demo/Hello");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, plain.StatusCode);
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
