using System.Net;
using System.Text.Json.Nodes;
using Gateway.Compose;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Specs;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace Gateway.IntegrationTests.Compose;

/// <summary>
/// A compose file of three services (a healthcheck, depends_on service_healthy, env_file,
/// deploy.replicas) run by a real gateway on the Process runtime, the demo backend as the program;
/// and <c>gateway convert</c> on the same file, run as a real process, whose output loads as settings
/// equal in effect.
/// </summary>
public sealed class ComposeProcessTests
{
    private static string Project()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-compose-").FullName;
        var demo = RepoPaths.DemoBackendDll;
        File.WriteAllText(Path.Combine(directory, "web.env"), "# what the web's healthcheck looks for\nGREETING=hello\n");
        File.WriteAllText(Path.Combine(directory, "compose.yaml"), $$"""
            name: shop
            x-demo: &demo
              image: demo-backend
              expose: ["8080"]
              stop_grace_period: 2s
            services:
              db:
                <<: *demo
                command: [dotnet, "{{demo}}", --ready-after, "1"]
                healthcheck:
                  test: ["CMD-SHELL", "curl -fsS http://127.0.0.1:$${PORT}/readyz"]
                  interval: 1s
                  timeout: 2s
                  retries: 3
                  start_period: 30s
              web:
                <<: *demo
                command: [dotnet, "{{demo}}"]
                env_file: web.env
                ports: ["8080:8080"]
                depends_on:
                  db:
                    condition: service_healthy
                healthcheck:
                  # Ready only when the env_file's variable reached the container.
                  test: ["CMD-SHELL", "test \"$$GREETING\" = hello && curl -fsS http://127.0.0.1:$$PORT/readyz"]
                  interval: 1s
                deploy:
                  replicas: 2
              cache:
                <<: *demo
                command: [dotnet, "{{demo}}"]
                restart: always
                depends_on: [db]
            """);
        return directory;
    }

    private static bool Ready(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static async Task<HttpStatusCode> GetAsync(GatewayProcess gateway, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = host;
        using var response = await gateway.Proxy.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Every pod of the project Ready, by service; then each service answers through the proxy by its host name.</summary>
    private static async Task AssertRunningAsync(GatewayProcess gateway)
    {
        var pods = await gateway.WaitForPodsAsync(
            p => p.Count(pod => pod.Metadata.Name.StartsWith("shop-web-", StringComparison.Ordinal) && Ready(pod)) == 2
                 && p.Count(pod => pod.Metadata.Name.StartsWith("shop-db-", StringComparison.Ordinal) && Ready(pod)) == 1
                 && p.Count(pod => pod.Metadata.Name.StartsWith("shop-cache-", StringComparison.Ordinal) && Ready(pod)) == 1,
            "2 web pods, a db and a cache pod, all Ready", TimeSpan.FromSeconds(40));

        var web = pods.First(p => p.Metadata.Name.StartsWith("shop-web-", StringComparison.Ordinal));
        Assert.Contains(web.Spec.Containers[0].Env, e => e.Name == "GREETING" && e.Value == "hello");
        foreach (var host in new[] { "shop-web.localhost", "shop-db.localhost", "shop-cache.localhost" })
        {
            await Poll.UntilAsync(async () => await GetAsync(gateway, host) == HttpStatusCode.OK, $"a 200 from {host} through the gateway");
        }

        // A host no service of the file has is nobody's.
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(gateway, "shop-nothing.localhost"));
    }

    [Fact]
    public async Task ComposeEntry_RunsTheFilesServices_OnTheProcessRuntime()
    {
        var directory = Project();
        await using var gateway = await GatewayProcess.StartAsync("""{ "shop": { "Compose": "compose.yaml", "Runtime": "Process" } }""", directory);

        await AssertRunningAsync(gateway);
    }

    [Fact]
    public async Task ComposeEntry_AChangedEnvFile_ReloadsItsServices()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-compose-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "web.env"), "GREETING=hello\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "compose.yaml"), $$"""
            services:
              web:
                command: [dotnet, "{{RepoPaths.DemoBackendDll}}"]
                env_file: web.env
                expose: ["8080"]
                stop_grace_period: 1s
                healthcheck: {test: ["CMD-SHELL", "curl -fsS http://127.0.0.1:$$PORT/readyz"], interval: 1s}
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "shop": { "Compose": "compose.yaml" } }""", directory);
        await gateway.WaitForPodsAsync(p => p.Count == 1 && Ready(p[0]) && p[0].Spec.Containers[0].Env.Any(e => e.Value == "hello"), "the web pod Ready with GREETING=hello");

        // Only the env file changes: the gateway watches it as a manifest, and replaces the pod.
        await File.WriteAllTextAsync(Path.Combine(directory, "web.env"), "GREETING=bye\n");

        await gateway.WaitForPodsAsync(p => p.Count == 1 && Ready(p[0]) && p[0].Spec.Containers[0].Env.Any(e => e.Name == "GREETING" && e.Value == "bye"),
            "a new web pod Ready with GREETING=bye, the old one gone", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Convert_PrintsSettingsEqualInEffect_ThatRunAsTheComposeEntryDoes()
    {
        var directory = Project();
        var (exitCode, output) = await GatewayProcess.RunToExitAsync("convert", Path.Combine(directory, "compose.yaml"), "--prefix", "shop");

        Assert.True(exitCode == 0, output);
        var printed = JsonNode.Parse(output)!;
        var services = printed["Gateway"]!["Services"]!.AsObject();
        Assert.Equal(["shop-cache", "shop-db", "shop-web"], services.Select(s => s.Key).Order());

        // Loaded as settings, the printed services are the compose entry's, field for field.
        ComposeEntries.Expand = ComposeServices.Load;
        var fromEntry = Load($$"""{ "Gateway": { "Services": { "shop": { "Compose": "compose.yaml" } } } }""", directory);
        var fromPrinted = Load(output, directory);
        Assert.Equal(fromEntry.Count, fromPrinted.Count);
        foreach (var expected in fromEntry)
        {
            var actual = fromPrinted.Single(s => s.Name == expected.Name);
            Assert.Equal(expected.Pods!.TemplateHash, actual.Pods!.TemplateHash);
            Assert.Equal(KubernetesJson.Serialize(expected.Pods.PodSpec), KubernetesJson.Serialize(actual.Pods.PodSpec));
            Assert.Equal(expected.Pods.Replicas, actual.Pods.Replicas);
            Assert.Equal(expected.Route.Hosts, actual.Route.Hosts);
        }

        // And a gateway run on them runs the project.
        await using var gateway = await GatewayProcess.StartAsync(services.ToJsonString(), directory);
        await AssertRunningAsync(gateway);
    }

    [Fact]
    public async Task Convert_ABadFile_PrintsOneErrorPerLine_ExitCode2()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-compose-").FullName;
        var file = Path.Combine(directory, "compose.yaml");
        await File.WriteAllTextAsync(file, "services:\n  web:\n    build: .\n    privileged: true\n    command: [web]\n");

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("convert", file);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            [$"services.web.build: Forbidden: not supported by the gateway: {ComposeFields.Refused["build"]}", $"services.web.privileged: Forbidden: not supported by the gateway: {ComposeFields.Refused["privileged"]}"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static List<ServiceSpec> Load(string json, string directory)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var spec = GatewaySpecLoader.Load(configuration, directory, out var errors);
        Assert.Empty(errors);
        return [.. spec.Services];
    }
}
