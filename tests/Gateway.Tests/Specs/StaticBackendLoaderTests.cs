using Gateway.Specs;

namespace Gateway.Tests.Specs;

/// <summary>
/// A Static service (<c>"Runtime": "Static"</c>): what is accepted and the backend it makes, and for
/// every way to get it wrong, the exact errors: field path, reason and fix.
/// </summary>
public sealed class StaticBackendLoaderTests : IDisposable
{
    private const string Template = """{ "spec": { "containers": [ { "name": "a", "command": [ "x" ] } ] } }""";

    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Settings with one service "web" whose fields are <paramref name="fields"/>.</summary>
    private static string Web(string fields) => $$"""{ "Gateway": { "Services": { "web": { {{fields}} } } } }""";

    /// <summary>A Static service "web" with one address and <paramref name="fields"/> besides.</summary>
    private static string Static(string fields = "") => Web($$"""{{fields}} "Runtime": "Static", "Addresses": [ "http://127.0.0.1:5001" ]""");

    private static string Addresses(params string[] addresses) =>
        Web($"\"Runtime\": \"Static\", \"Addresses\": [ {string.Join(", ", addresses.Select(a => $"\"{a}\""))} ]");

    private static string Probe(string probe) => Static($"\"ReadinessProbe\": {probe},");

    private static string ManyAddresses(int count) => Addresses([.. Enumerable.Range(0, count).Select(i => $"http://127.0.0.1:{5000 + i}")]);

    [Fact]
    public void Load_Minimal_IsTheAddressesWithoutAProbe()
    {
        var spec = _files.Load(Static(), out var errors);

        Assert.Empty(errors);
        var web = Assert.Single(spec.Services);
        var backend = Assert.IsType<StaticBackend>(web.Backend);
        Assert.Equal([new Uri("http://127.0.0.1:5001")], backend.Addresses);
        Assert.Null(backend.ReadinessProbe);
        Assert.Null(web.Pods);
        Assert.Equal(RouteValidator.CatchAll, web.Route.Path);
    }

    [Fact]
    public void Load_Full_KeepsTheOrderAndDefaultsTheProbeAsTheKubeletDoes()
    {
        var spec = _files.Load(Web("""
            "Route": { "Path": "/api/{**rest}", "Hosts": [ "api.example.test" ] },
            "Runtime": "static",
            "Retries": { "Attempts": 1 },
            "SlowStartSeconds": 5,
            "Addresses": [ "http://127.0.0.1:5002", "http://[::1]:5001", "http://backend.internal", "http://127.0.0.1:5001/" ],
            "ReadinessProbe": { "httpGet": { "path": "/healthz", "port": 8081 }, "periodSeconds": 2 }
            """), out var errors);

        Assert.Empty(errors);
        var web = Assert.Single(spec.Services);
        var backend = Assert.IsType<StaticBackend>(web.Backend);
        Assert.Equal(
            ["http://127.0.0.1:5002/", "http://[::1]:5001/", "http://backend.internal/", "http://127.0.0.1:5001/"],
            backend.Addresses.Select(a => a.ToString()));
        var probe = backend.ReadinessProbe!;
        Assert.Equal(("/healthz", "8081", "HTTP", null), (probe.HttpGet.Path, probe.HttpGet.Port.Value, probe.HttpGet.Scheme, probe.HttpGet.Host));
        Assert.Equal((0, 2, 1, 1, 3), (probe.InitialDelaySeconds, probe.PeriodSeconds, probe.TimeoutSeconds, probe.SuccessThreshold, probe.FailureThreshold));
        Assert.Equal((1, TimeSpan.FromSeconds(5)), (web.Retries.Attempts, web.SlowStart));
        Assert.Equal("/api/{**rest}", web.Route.Path);
        Assert.Equal(["api.example.test"], web.Route.Hosts);
    }

    public static TheoryData<string, string> AcceptedProbes => new()
    {
        { """{ "httpGet": { "port": 5001 } }""", "/" },
        { """{ "httpGet": { "path": "/readyz", "port": "http" } }""", "/readyz" },
        { """{ "tcpSocket": { "port": "http" } }""", "" },
        { """{ "httpGet": { "host": "health.internal", "port": 8081, "scheme": "HTTPS", "httpHeaders": [ { "name": "X-Probe", "value": "1" } ] } }""", "/" },
        { """{ "tcpSocket": { "port": 5001 }, "failureThreshold": 1 }""", "" },
        { """{ "grpc": { "port": 5001, "service": "health" }, "timeoutSeconds": 3 }""", "" },
    };

    [Theory]
    [MemberData(nameof(AcceptedProbes))]
    public void Load_ProbeOfAnyHandlerButExec_IsAccepted(string probe, string httpPath)
    {
        var spec = _files.Load(Probe(probe), out var errors);

        Assert.Empty(errors);
        var readiness = Assert.IsType<StaticBackend>(Assert.Single(spec.Services).Backend).ReadinessProbe!;
        Assert.Equal(httpPath, readiness.HttpGet?.Path ?? "");
        Assert.Equal((10, 1), (readiness.PeriodSeconds, readiness.SuccessThreshold));
    }

    [Fact]
    public void Load_AsManyAddressesAsTheBound_IsAccepted()
    {
        var spec = _files.Load(ManyAddresses(StaticBackend.MaxAddresses), out var errors);

        Assert.Empty(errors);
        Assert.Equal(StaticBackend.MaxAddresses, Assert.IsType<StaticBackend>(Assert.Single(spec.Services).Backend).Addresses.Count);
    }

    [Fact]
    public void Load_OneAddressAsAString_IsAListOfOne()
    {
        var spec = _files.Load(Web("""
            "Runtime": "Static", "Addresses": "http://127.0.0.1:5001"
            """), out var errors);

        Assert.Empty(errors);
        Assert.Equal([new Uri("http://127.0.0.1:5001")], Assert.IsType<StaticBackend>(Assert.Single(spec.Services).Backend).Addresses);
    }

    private const string NoAddresses = "Gateway:Services:web:Addresses: Required value: list the backends' URLs, such as [\"http://127.0.0.1:5001\", \"http://127.0.0.1:5002\"]";

    public static TheoryData<string, string> BadStaticServices => new()
    {
        // Addresses: there, a list, of absolute http://host:port URLs, each once, not too many.
        { Web("\"Runtime\": \"Static\""), NoAddresses },
        { Web("\"Runtime\": \"Static\", \"Addresses\": []"), NoAddresses },
        { Addresses(""), NoAddresses },
        { Web("\"Runtime\": \"Static\", \"Addresses\": { \"a\": \"http://127.0.0.1:5001\" }"), "Gateway:Services:web:Addresses: Invalid value: must be a list of strings, found the key \"a\"" },
        { Web("\"Runtime\": \"Static\", \"Addresses\": [ { \"url\": \"http://127.0.0.1:5001\" } ]"), "Gateway:Services:web:Addresses:0: Invalid value: must be a single value, not an object or a list" },
        { Addresses("not a url"), "Gateway:Services:web:Addresses:0: Invalid value: \"not a url\": must be an absolute URL such as http://127.0.0.1:5001" },
        { Addresses("127.0.0.1:5001"), "Gateway:Services:web:Addresses:0: Invalid value: \"127.0.0.1:5001\": must be an absolute URL such as http://127.0.0.1:5001" },
        { Addresses("/srv/app.sock"), "Gateway:Services:web:Addresses:0: Invalid value: \"/srv/app.sock\": must be an absolute URL such as http://127.0.0.1:5001" },
        { Addresses("https://127.0.0.1:5001"), "Gateway:Services:web:Addresses:0: Invalid value: \"https://127.0.0.1:5001\": https backends are not supported yet: use http://" },
        { Addresses("ftp://127.0.0.1:5001"), "Gateway:Services:web:Addresses:0: Invalid value: \"ftp://127.0.0.1:5001\": scheme \"ftp\" is not supported: use http://" },
        { Addresses("http://127.0.0.1:0"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://127.0.0.1:0\": port 0 is no backend's port; give the port it listens on, such as http://127.0.0.1:5001" },
        { Addresses("http://127.0.0.1:65536"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://127.0.0.1:65536\": must be an absolute URL such as http://127.0.0.1:5001" },
        { Addresses("http://127.0.0.1:5001/api"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://127.0.0.1:5001/api\": must be only a scheme, host and port (no user, path, query or fragment), such as http://127.0.0.1:5001" },
        { Addresses("http://127.0.0.1:5001/?ready=1"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://127.0.0.1:5001/?ready=1\": must be only a scheme, host and port (no user, path, query or fragment), such as http://127.0.0.1:5001" },
        { Addresses("http://user:secret@127.0.0.1:5001"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://user:secret@127.0.0.1:5001\": must be only a scheme, host and port (no user, path, query or fragment), such as http://127.0.0.1:5001" },
        { Addresses("http://127.0.0.1:5001/#top"), "Gateway:Services:web:Addresses:0: Invalid value: \"http://127.0.0.1:5001/#top\": must be only a scheme, host and port (no user, path, query or fragment), such as http://127.0.0.1:5001" },
        {
            Addresses("http://127.0.0.1:5001", "ftp://x", "http://127.0.0.1:5002", "http://127.0.0.1:5001/"),
            "Gateway:Services:web:Addresses:1: Invalid value: \"ftp://x\": scheme \"ftp\" is not supported: use http://\n"
            + "Gateway:Services:web:Addresses:3: Duplicate value: \"http://127.0.0.1:5001/\": the same address as Gateway:Services:web:Addresses:0; list each address once"
        },
        {
            // An empty item is left out; the paths are still those of the settings.
            Addresses("", "http://127.0.0.1:5001", "ftp://x", "http://127.0.0.1:5001"),
            "Gateway:Services:web:Addresses:2: Invalid value: \"ftp://x\": scheme \"ftp\" is not supported: use http://\n"
            + "Gateway:Services:web:Addresses:3: Duplicate value: \"http://127.0.0.1:5001\": the same address as Gateway:Services:web:Addresses:1; list each address once"
        },
        { Addresses("http://backend.internal:5001", "HTTP://Backend.Internal:5001"), "Gateway:Services:web:Addresses:1: Duplicate value: \"HTTP://Backend.Internal:5001\": the same address as Gateway:Services:web:Addresses:0; list each address once" },
        { ManyAddresses(StaticBackend.MaxAddresses + 1), "Gateway:Services:web:Addresses: Invalid value: 1001: must have at most 1000 addresses" },

        // The readiness probe: any handler but exec, validated as a container's readiness probe.
        { Probe("""{ "exec": { "command": [ "true" ] } }"""), "Gateway:Services:web:ReadinessProbe.exec: Forbidden: the gateway cannot exec in a Static backend; use httpGet, tcpSocket or grpc" },
        { Probe("""{ "httpGet": { "path": "/healthz", "port": "metrics" } }"""), "Gateway:Services:web:ReadinessProbe.httpGet.port: Invalid value: \"metrics\": the only port name of a Static service's Addresses is \"http\", each address's own port; use it or a port number" },
        { Probe("""{ "tcpSocket": { "port": "web" } }"""), "Gateway:Services:web:ReadinessProbe.tcpSocket.port: Invalid value: \"web\": the only port name of a Static service's Addresses is \"http\", each address's own port; use it or a port number" },
        {
            Probe("""{ "httpGet": { "port": "HTTP" } }"""),
            "Gateway:Services:web:ReadinessProbe.httpGet.port: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)\n"
            + "Gateway:Services:web:ReadinessProbe.httpGet.port: Invalid value: \"HTTP\": must contain at least one letter (a-z)"
        },
        { Probe("""{ "httpGet": { "port": 70000 } }"""), "Gateway:Services:web:ReadinessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { Probe("""{ "periodSeconds": 1 }"""), "Gateway:Services:web:ReadinessProbe: Required value: must specify a handler type" },
        { Probe("""{ "tcpSocket": { "port": 5001 }, "successThreshold": 0 }"""), "Gateway:Services:web:ReadinessProbe.successThreshold: Invalid value: 0: must be greater than or equal to 1" },
        { Probe("""{ "tcpSocket": { "port": 5001 }, "terminationGracePeriodSeconds": 5 }"""), "Gateway:Services:web:ReadinessProbe.terminationGracePeriodSeconds: Forbidden: must not be set for readinessProbes" },
        { Probe("""{ "tcpSocket": { "port": 5001 }, "periodSecond": 1 }"""), "Gateway:Services:web:ReadinessProbe.periodSecond: Invalid value: \"periodSecond\": unknown field; did you mean \"periodSeconds\"?" },
        { Probe("\"tcp\""), "Gateway:Services:web:ReadinessProbe: Invalid value: \"tcp\": must be an object" },

        // A Static service runs no pods and names no cluster Service.
        { Static("\"Replicas\": 2,"), "Gateway:Services:web:Replicas: Forbidden: a Static service routes to its fixed Addresses and runs no pods; remove Replicas" },
        { Static($"\"Template\": {Template},"), "Gateway:Services:web:Template: Forbidden: a Static service routes to its fixed Addresses and runs no pods; remove Template" },
        { Static("\"Manifest\": \"pod.yaml\","), "Gateway:Services:web:Manifest: Forbidden: a Static service routes to its fixed Addresses and runs no pods; remove Manifest" },
        { Static("\"Strategy\": { \"MaxSurge\": 1 },"), "Gateway:Services:web:Strategy: Forbidden: a Static service routes to its fixed Addresses and runs no pods; remove Strategy" },
        { Static("\"Service\": \"web\","), "Gateway:Services:web:Service: Forbidden: a Static service routes to its Addresses, not to a cluster Service; remove Service" },
        { Static("\"Namespace\": \"shop\","), "Gateway:Services:web:Namespace: Forbidden: a Static service routes to its Addresses, not to a cluster Service; remove Namespace" },
        { Static("\"Port\": 80,"), "Gateway:Services:web:Port: Forbidden: a Static service routes to its Addresses, not to a cluster Service; remove Port" },

        // Addresses belong to a Static service only.
        { Web($"\"Addresses\": [ \"http://127.0.0.1:5001\" ], \"Template\": {Template}"), "Gateway:Services:web:Addresses: Forbidden: only a service with Runtime \"Static\" lists fixed Addresses; remove Addresses or set Runtime to Static" },
        { Web($"\"Runtime\": \"Docker\", \"Addresses\": [ \"http://127.0.0.1:5001\" ], \"Template\": {Template.Replace("\"name\": \"a\",", "\"name\": \"a\", \"image\": \"busybox\",", StringComparison.Ordinal)}"), "Gateway:Services:web:Addresses: Forbidden: only a service with Runtime \"Static\" lists fixed Addresses; remove Addresses or set Runtime to Static" },
        { Web("\"Runtime\": \"Kubernetes\", \"Service\": \"web\", \"Addresses\": [ \"http://127.0.0.1:5001\" ]"), "Gateway:Services:web:Addresses: Forbidden: a Kubernetes service's endpoints come from the cluster Service's EndpointSlices; remove Addresses" },
    };

    [Theory]
    [MemberData(nameof(BadStaticServices))]
    public void Load_BadStaticService_ReportsExactlyTheFieldErrors(string settings, string expected)
    {
        var spec = _files.Load(settings, out var errors);

        Assert.Equal(expected, string.Join('\n', errors));
        Assert.Empty(spec.Services);
    }
}
