using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Compose;

/// <summary>
/// The three-service compose file on the Docker runtime: the images run (busybox:local, which
/// tests/docker/setup.sh imports; no registry). Skips without an engine unless GATEWAY_REQUIRE_DOCKER=1.
/// </summary>
public sealed class ComposeDockerTests
{
    private static bool Ready(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    [SkippableFact]
    public async Task ComposeEntry_RunsTheImages_OnTheDockerRuntime()
    {
        DockerEngine.RequireOrSkip();
        var directory = Directory.CreateTempSubdirectory("gateway-compose-docker-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "web.env"), "GREETING=hello\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "compose.yaml"), """
            x-httpd: &httpd
              image: busybox:local
              entrypoint: [sh, -c]
              expose: ["8080"]
              stop_grace_period: 2s
            services:
              db:
                <<: *httpd
                command: ['mkdir -p /tmp/www && echo db > /tmp/www/index.html && exec httpd -f -p "$$PORT" -h /tmp/www']
                healthcheck:
                  test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:$$PORT/"]
                  interval: 1s
                  timeout: 1s
              web:
                <<: *httpd
                command: ['mkdir -p /tmp/www && echo "$$GREETING from web" > /tmp/www/index.html && exec httpd -f -p "$$PORT" -h /tmp/www']
                env_file: web.env
                ports: ["8080:8080"]
                depends_on: {db: {condition: service_healthy}}
                healthcheck: {test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:$$PORT/"], interval: 1s}
                deploy: {replicas: 2}
              cache:
                <<: *httpd
                command: ['mkdir -p /tmp/www && echo cache > /tmp/www/index.html && exec httpd -f -p "$$PORT" -h /tmp/www']
                depends_on: [db]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "shop": { "Compose": "compose.yaml", "Runtime": "Docker" } }""", directory);

        await gateway.WaitForPodsAsync(
            p => p.Count(pod => pod.Metadata.Name.StartsWith("shop-web-", StringComparison.Ordinal) && Ready(pod)) == 2
                 && p.Count(pod => pod.Metadata.Name.StartsWith("shop-db-", StringComparison.Ordinal) && Ready(pod)) == 1
                 && p.Count(pod => pod.Metadata.Name.StartsWith("shop-cache-", StringComparison.Ordinal) && Ready(pod)) == 1,
            "2 web pods, a db and a cache pod, all Ready", TimeSpan.FromSeconds(40));
        Assert.Equal(4, DockerEngine.Containers("io.gateway.service", "shop-web").Count + DockerEngine.Containers("io.gateway.service", "shop-db").Count
            + DockerEngine.Containers("io.gateway.service", "shop-cache").Count);

        foreach (var (host, body) in new[] { ("shop-web.localhost", "hello from web\n"), ("shop-db.localhost", "db\n"), ("shop-cache.localhost", "cache\n") })
        {
            var answer = "";
            await Poll.UntilAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = host;
                using var response = await gateway.Proxy.SendAsync(request);
                answer = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.OK;
            }, $"a 200 from {host}");
            Assert.Equal(body, answer);
        }
    }
}
