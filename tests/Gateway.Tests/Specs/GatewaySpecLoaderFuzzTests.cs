using System.Text;
using System.Text.Json.Nodes;
using Gateway.Runtimes.Docker;
using Gateway.Specs;
using k8s.Models;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Specs;

/// <summary>
/// Random damage to a valid settings file and a Deployment manifest, from fixed seeds: the loader
/// never throws, never falls back on "Internal error", and a spec it accepts is one the rest of the
/// gateway can act on without an overflow or a parse error.
/// </summary>
public sealed class GatewaySpecLoaderFuzzTests : IDisposable
{
    private const int LoadsPerSeed = 600;

    private static readonly string[] EdgeNumbers =
    [
        "0", "-1", "1", "2.7", "1e20", "-1e20", "1e3", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999", "65535", "65536", "3600", "3601",
    ];

    private static readonly string[] EdgeStrings =
    [
        "", " ", "NaN", "Infinity", "yes", "true", "lots", "0%", "150%", "/{**a}/{**b}", "/{", "*", "https://127.0.0.1:1",
        "http://127.0.0.1:99999", "http://127.0.0.1:8080", "../../../../tmp/x/evil", "My_Pod", "a\u0000b", "\u00e9", "unix://", "tcp://x",
    ];

    private static readonly string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          replicas: 2
          selector:
            matchLabels: { app: api }
          template:
            metadata:
              labels: { app: api, tier: back }
            spec:
              terminationGracePeriodSeconds: 20
              containers:
              - name: api
                image: busybox
                command: ["sh", "-c", "sleep 3600"]
                ports:
                - { name: http, containerPort: 8080 }
                resources:
                  limits: { cpu: 500m, memory: 128Mi }
                  requests: { cpu: 100m }
                readinessProbe:
                  httpGet: { path: /readyz, port: http }
                  periodSeconds: 1
                livenessProbe:
                  tcpSocket: { port: 8080 }
                  initialDelaySeconds: 2
                  timeoutSeconds: 1
                  terminationGracePeriodSeconds: 5
                lifecycle:
                  preStop: { sleep: { seconds: 3 } }
        """;

    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>The demo settings, with every section the gateway reads filled in.</summary>
    private static JsonObject BaseSettings()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(SettingsFixture.RepoRoot(), "config", "appsettings.json")))!.AsObject();
        var gateway = settings["Gateway"]!.AsObject();
        gateway["MaxPods"] = 50;
        gateway["Docker"] = JsonNode.Parse("""{ "Endpoint": "unix:///var/run/docker.sock", "KeepContainersOnShutdown": false }""");
        gateway["Process"] = JsonNode.Parse("""{ "InheritEnvironment": false }""");
        gateway["Admin"]!["Hosts"] = JsonNode.Parse("""[ "gateway.internal" ]""");
        // The demo's seed pod, read where the demo keeps it.
        gateway["Services"]!["seed"]!["Manifest"] = Path.Combine(SettingsFixture.RepoRoot(), "config", "examples", "liveness-exec.yaml");
        var web = gateway["Services"]!["web"]!.AsObject();
        web["Retries"] = JsonNode.Parse("""{ "Attempts": 2, "BudgetPercent": 20, "MinConcurrent": 3, "BufferBytes": 65536 }""");
        web["Strategy"] = JsonNode.Parse("""{ "MaxSurge": "25%", "MaxUnavailable": 0 }""");
        web["SlowStartSeconds"] = 5;
        web["Route"] = JsonNode.Parse("""{ "Path": "/{**catch-all}", "Hosts": [ "web.test" ] }""");
        gateway["Services"]!["api"] = JsonNode.Parse("""{ "Route": { "Path": "/api/{**rest}" }, "Manifest": "api.yaml", "Runtime": "Docker" }""");
        gateway["Services"]!["shop"] = JsonNode.Parse("""
            { "Runtime": "Kubernetes", "Service": "shop", "Port": "http", "Route": { "Path": "/shop/{**rest}" },
              "ReadinessProbe": { "httpGet": { "path": "/", "port": "http" }, "periodSeconds": 2 } }
            """);
        return settings;
    }

    [Fact]
    public void Load_BaseSettings_AreValid()
    {
        _files.Write("api.yaml", Manifest);

        var spec = Load(BaseSettings().ToJsonString(), out var errors);

        Assert.Empty(errors!);
        Assert.Equal(["api", "seed", "shop", "web"], spec!.Services.Select(s => s.Name).Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Load_RandomlyDamagedSettingsAndManifest_NeverThrowsAndAcceptsOnlyUsableSpecs(int seed)
    {
        var random = new Random(seed);
        var accepted = 0;
        for (var i = 0; i < LoadsPerSeed; i++)
        {
            var manifest = random.Next(3) == 0 ? DamageText(Manifest, random) : Manifest;
            var settings = BaseSettings();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                Damage(settings, random);
            }

            var json = random.Next(10) == 0 ? DamageText(settings.ToJsonString(), random) : settings.ToJsonString();
            _files.Write("api.yaml", manifest);

            GatewaySpec? spec;
            IReadOnlyList<string>? errors;
            try
            {
                spec = Load(json, out errors);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, load {i}: Load threw {e}\nsettings: {json}\nmanifest:\n{manifest}");
                return;
            }

            if (spec is null)
            {
                continue; // not JSON the configuration layer accepts: the Hosting helper's error, not the loader's
            }

            Assert.False(errors!.Any(e => e.Contains("Internal error", StringComparison.Ordinal)),
                $"seed {seed}, load {i}: {string.Join("\n", errors!)}\nsettings: {json}\nmanifest:\n{manifest}");
            if (errors!.Count == 0)
            {
                accepted++;
                AssertUsable(spec, json, $"seed {seed}, load {i}\nsettings: {json}\nmanifest:\n{manifest}");
            }
        }

        // The damage is mild often enough that the usable-spec checks run many times.
        Assert.InRange(accepted, LoadsPerSeed / 20, LoadsPerSeed);
    }

    private GatewaySpec? Load(string json, out IReadOnlyList<string>? errors)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            errors = null;
            return null;
        }

        return GatewaySpecLoader.Load(configuration, _files.Directory, out errors);
    }

    // What the rest of the gateway does with a spec, done here: none of it may throw.
    private static void AssertUsable(GatewaySpec spec, string json, string context)
    {
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
            _ = DockerRuntimeOptions.FromConfiguration(configuration);
            foreach (var url in spec.ProxyUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Concat(spec.AdminUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                var address = Microsoft.AspNetCore.Http.BindingAddress.Parse(url);
                Assert.InRange(address.Port, 0, 65535);
                Assert.Equal("", address.PathBase);
            }

            Assert.InRange(spec.MaxPods, 1, GatewaySpec.MaxPodsLimit);
            var maxGrace = spec.Services.Select(s => s.Pods?.PodSpec.TerminationGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds).DefaultIfEmpty(PodSpecDefaults.TerminationGracePeriodSeconds).Max();
            using (var shutdown = new CancellationTokenSource())
            {
                shutdown.CancelAfter(TimeSpan.FromSeconds(maxGrace + 10)); // Program.cs's host shutdown timeout
            }

            foreach (var service in spec.Services)
            {
                RoutePatternFactory.Parse(service.Route.Path ?? "/{**catch-all}");
                Assert.InRange(service.Retries.Attempts, 0, RetrySpec.MaxAttempts);
                Assert.InRange(service.Retries.BufferBytes, 0, RetrySpec.MaxBufferBytes);
                Assert.InRange(service.SlowStart, TimeSpan.Zero, TimeSpan.FromSeconds(ServiceSpec.MaxSlowStartSeconds));
                if (service.Pods is { } pods)
                {
                    Assert.InRange(pods.Replicas, 0, int.MaxValue);
                    _ = pods.Rollout.Resolve(pods.Replicas);
                }

                if (service.Pods?.PodName is { } podName)
                {
                    Assert.Equal("/state/pods/" + podName, Path.GetFullPath(Path.Combine("/state/pods", podName)));
                }

                var probes = new List<V1Probe?> { (service.Backend as ClusterBackend)?.ReadinessProbe, (service.Backend as StaticBackend)?.ReadinessProbe };
                foreach (var container in (service.Pods?.PodSpec.Containers ?? []).Concat(service.Pods?.PodSpec.InitContainers ?? []))
                {
                    probes.AddRange([container.ReadinessProbe, container.LivenessProbe, container.StartupProbe]);
                    if (container.Resources?.Limits?.TryGetValue("memory", out var memory) == true)
                    {
                        _ = memory.ToInt64();
                    }

                    foreach (var quantities in new[] { container.Resources?.Limits, container.Resources?.Requests })
                    {
                        if (quantities?.TryGetValue("cpu", out var cpu) == true)
                        {
                            _ = checked((long)(cpu.ToDecimal() * 1_000_000_000m)); // DockerRuntime's NanoCPUs
                        }
                    }

                    if (container.Lifecycle?.PreStop?.Sleep is { } sleep)
                    {
                        AssertTimeable(sleep.Seconds);
                    }
                }

                foreach (var probe in probes.OfType<V1Probe>())
                {
                    AssertTimeable(probe.PeriodSeconds ?? 10);
                    AssertTimeable(probe.TimeoutSeconds ?? 1);
                    AssertTimeable(probe.InitialDelaySeconds ?? 0);
                    AssertTimeable(probe.TerminationGracePeriodSeconds ?? 0);
                }
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{context}\naccepted but not usable: {e}");
        }
    }

    // A duration the gateway's timers take: TimeProvider timers and Task.Delay stop at 2^32-2 ms.
    private static void AssertTimeable(long seconds)
    {
        using var timer = TimeProvider.System.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(seconds));
    }

    private static void Damage(JsonObject settings, Random random)
    {
        var nodes = new List<JsonNode>();
        Collect(settings["Gateway"]!, nodes);
        nodes.RemoveAt(0); // the Gateway section stays an object: without it there is nothing to load
        if (nodes.Count == 0)
        {
            return;
        }

        var node = nodes[random.Next(nodes.Count)];
        var parent = node.Parent!;
        switch (random.Next(7))
        {
            case 0:
                Replace(node, JsonNode.Parse(EdgeNumbers[random.Next(EdgeNumbers.Length)]));
                break;
            case 1:
                Replace(node, JsonValue.Create(random.Next(2) == 0 ? EdgeStrings[random.Next(EdgeStrings.Length)] : EdgeNumbers[random.Next(EdgeNumbers.Length)]));
                break;
            case 2:
                Replace(node, random.Next(3) switch { 0 => new JsonObject { ["a"] = 1 }, 1 => new JsonArray(1, "x"), _ => new JsonObject() });
                break;
            case 3:
                Replace(node, random.Next(2) == 0 ? JsonValue.Create(true) : null);
                break;
            case 4 when parent is JsonObject map:
                map.Remove(node.GetPropertyName());
                break;
            case 4 when parent is JsonArray list:
                list.Remove(node);
                break;
            case 5 when parent is JsonObject map:
                // A near-miss key beside the real one: a typo, or a second spelling.
                var key = node.GetPropertyName();
                var typo = random.Next(2) == 0 ? key + "s" : key[..^1];
                if (typo.Length > 0 && !map.ContainsKey(typo))
                {
                    map[typo] = node.DeepClone();
                }

                break;
            case 5 when parent is JsonArray list:
                list.Add(node.DeepClone());
                break;
            default:
                // A whole service duplicated under another name: routes and pod names collide.
                var services = settings["Gateway"]!["Services"] as JsonObject;
                if (services?.FirstOrDefault() is { Value: { } service })
                {
                    services["copy" + random.Next(3)] = service.DeepClone();
                }

                break;
        }
    }

    private static void Replace(JsonNode node, JsonNode? value)
    {
        switch (node.Parent)
        {
            case JsonObject map:
                map[node.GetPropertyName()] = value;
                break;
            case JsonArray list:
                list[node.GetElementIndex()] = value;
                break;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        var children = node switch
        {
            JsonObject map => map.Select(p => p.Value),
            JsonArray list => list,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            Collect(child, nodes);
        }
    }

    private static string DamageText(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(5))
        {
            case 0:
                return text[..random.Next(text.Length)];
            case 1:
                var bytes = new byte[random.Next(1, 8)];
                random.NextBytes(bytes);
                var at = random.Next(text.Length);
                return text[..at] + Encoding.Latin1.GetString(bytes) + text[at..];
            case 2:
                var line = random.Next(lines.Count);
                lines[line] = EdgeScalar().Replace(lines[line], ": " + EdgeNumbers[random.Next(EdgeNumbers.Length)], 1);
                return string.Join('\n', lines);
            case 3:
                var from = random.Next(lines.Count);
                lines.Insert(random.Next(lines.Count), lines[from]);
                return string.Join('\n', lines);
            default:
                var removed = random.Next(lines.Count);
                lines[removed] = "  " + lines[removed];
                return string.Join('\n', lines);
        }
    }

    private static System.Text.RegularExpressions.Regex EdgeScalar() => new(@":\s*[^\s{\[][^,}\]]*");
}
