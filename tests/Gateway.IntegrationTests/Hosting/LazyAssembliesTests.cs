using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// What the gateway maps into memory is what its configuration uses (issue 12, item 5: the fixed
/// cost of RSS): Docker's client only for a Docker service, gRPC only for a grpc probe, and no key
/// ring (XML) for data protection no route uses. Read from <c>/proc/PID/maps</c> of the real
/// executable; each feature is also shown to work when it is configured.
/// </summary>
public sealed class LazyAssembliesTests
{
    private static readonly string[] Docker = ["Docker.DotNet.dll", "Docker.DotNet.Unix.dll"];
    private static readonly string[] Grpc = ["Grpc.Net.Client.dll", "Grpc.Core.Api.dll", "Google.Protobuf.dll"];
    // Data protection itself is registered (YARP's AddReverseProxy does it); its key ring, in XML, is not read at start.
    private static readonly string[] KeyRing = ["System.Private.Xml.dll", "System.Private.Xml.Linq.dll"];

    /// <summary>The file names of the .dll files mapped into process <paramref name="pid"/>.</summary>
    private static HashSet<string> MappedAssemblies(int pid) =>
        File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 5 && fields[5].EndsWith(".dll", StringComparison.Ordinal))
            .Select(fields => Path.GetFileName(fields[5]))
            .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task ProcessServiceWithHttpProbe_LoadsNeitherDockerNorGrpcNorTheKeyRing()
    {
        using var backend = await DemoBackendProcess.StartAsync("probed");
        var services = $$"""
            { "web": { "Runtime": "Process", "Replicas": 2, "Template": { "spec": { "containers": [ {
                "name": "web", "command": [ "sleep", "3600" ],
                "readinessProbe": { "httpGet": { "path": "/readyz", "port": {{backend.Port}} }, "periodSeconds": 1 } } ] } } } }
            """;
        await using var gateway = await GatewayProcess.StartAsync(services);
        await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(pod => pod.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true), "2 ready pods");
        (await gateway.Admin.GetAsync("/metrics")).EnsureSuccessStatusCode();

        var mapped = MappedAssemblies(gateway.Id);

        Assert.Contains("Gateway.dll", mapped); // the reading itself works
        Assert.Contains("Yarp.ReverseProxy.dll", mapped);
        Assert.All(Docker.Concat(Grpc).Concat(KeyRing), name => Assert.DoesNotContain(name, mapped));
    }

    [Fact]
    public async Task DockerService_MakesTheRuntimeWhenConfigured()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"gateway-no-docker-{Guid.NewGuid():N}.sock");
        var services = """
            { "box": { "Runtime": "Docker", "Template": { "spec": { "containers": [ { "name": "app", "image": "gateway-test/none:1" } ] } } } }
            """;
        await using var gateway = await GatewayProcess.StartAsync(services, gatewayJson: $$""" "Docker": { "Endpoint": "unix://{{socket}}" } """);

        // The engine monitor asked the engine (there is none at that socket) through Docker's client.
        var expected = $"[-]docker failed: the Docker engine at unix://{socket} is not answering (no socket at {socket})";
        await Poll.UntilAsync(async () => (await gateway.Admin.GetStringAsync("/readyz")).Contains(expected, StringComparison.Ordinal),
            "the engine monitor's problem on /readyz", TimeSpan.FromSeconds(20));

        Assert.Contains("Docker.DotNet.dll", MappedAssemblies(gateway.Id));
    }

    [Fact]
    public async Task GrpcProbe_LoadsGrpcWhenConfiguredAndProbes()
    {
        var grpcPort = FreePort.Get();
        using var backend = await DemoBackendProcess.StartAsync("grpc", "--grpc-port", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var services = $$"""
            { "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ],
                       "ReadinessProbe": { "grpc": { "port": {{grpcPort}} }, "periodSeconds": 1 } } }
            """;
        await using var gateway = await GatewayProcess.StartAsync(services);

        // Routed only once the grpc readiness probe passed.
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the backend routed after its grpc probe", TimeSpan.FromSeconds(20));

        Assert.All(Grpc, name => Assert.Contains(name, MappedAssemblies(gateway.Id)));
    }
}
