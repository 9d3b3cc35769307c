using System.Text;
using Gateway.Specs;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Specs;

public sealed class GatewaySpecLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-spec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewaySpec Load(string json, out IReadOnlyList<string> errors, params string[] commandLine)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .AddCommandLine(commandLine)
            .Build();
        return GatewaySpecLoader.Load(configuration, _dir, out errors);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("stdout", "stdout")]
    [InlineData("STDOUT", "stdout")]
    [InlineData("logs/access.log", "logs/access.log")]
    public void Load_AccessLog_OffStandardOutputOrAFileBesideTheSettings(string? setting, string? expected)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "logs"));
        var accessLog = setting is null ? "" : $"\"AccessLog\": \"{setting}\",";
        var spec = Load($$"""{ "Gateway": { {{accessLog}} "Services": {} } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(expected is null or "stdout" ? expected : Path.Combine(_dir, expected), spec.AccessLog);
    }

    [Theory]
    [InlineData("missing/access.log", "Gateway:AccessLog: Invalid value: \"missing/access.log\": its folder {0}/missing does not exist: create it, or name another file, or \"stdout\"")]
    [InlineData(".", "Gateway:AccessLog: Invalid value: \".\": is a folder: name the file to append to, or \"stdout\"")]
    public void Load_AccessLogNowhereToWrite_NamesTheFieldAndTheFix(string setting, string expected)
    {
        Load($$"""{ "Gateway": { "AccessLog": "{{setting}}", "Services": {} } }""", out var errors);

        Assert.Equal([string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, _dir)], errors);
    }

    private const string Web = """
        { "Gateway": { "Services": { "web": {
            "Route": { "Path": "/api/{**rest}", "Hosts": [ "example.test" ] },
            "Replicas": 3,
            "Template": {
              "metadata": { "labels": { "tier": "front" } },
              "spec": { "containers": [ {
                "name": "web", "command": [ "demo", "8080" ], "args": [ "--ready-after", "1" ],
                "env": [ { "name": "A", "value": "1" } ],
                "ports": [ { "name": "http", "containerPort": 8080 } ],
                "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 },
                "livenessProbe": { "tcpSocket": { "port": 8080 }, "initialDelaySeconds": 2 }
              } ] }
            } } } } }
        """;

    [Fact]
    public void Load_Template_BindsKubernetesFieldsWithTheirTypes()
    {
        var spec = Load(Web, out var errors);

        Assert.Empty(errors);
        var web = Assert.Single(spec.Services);
        Assert.Equal("web", web.Name);
        Assert.Equal(3, web.Pods!.Replicas);
        Assert.Equal("/api/{**rest}", web.Route.Path);
        Assert.Equal(["example.test"], web.Route.Hosts);
        Assert.Equal(RuntimeKind.Process, web.Pods!.Runtime);
        var container = Assert.Single(web.Pods!.PodSpec.Containers);
        Assert.Equal(["demo", "8080"], container.Command);
        Assert.Equal(8080, container.Ports[0].ContainerPort);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal("8080", container.LivenessProbe.TcpSocket.Port.Value);
        Assert.Equal(2, container.LivenessProbe.InitialDelaySeconds);
        Assert.Equal(10, container.LivenessProbe.PeriodSeconds);
        Assert.Equal("Always", web.Pods!.PodSpec.RestartPolicy);
        Assert.Equal("web", web.Pods!.Labels["app"]);
        Assert.Equal("front", web.Pods!.Labels["tier"]);
        Assert.Null(web.Pods!.PodName);
        Assert.Equal("127.0.0.1:8080", spec.ProxyUrls.Replace("http://", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_CommandLine_OverridesTheFile()
    {
        var spec = Load(Web, out var errors, "--Gateway:Services:web:Replicas=1", "--Gateway:Admin:Urls=http://127.0.0.1:19090");

        Assert.Empty(errors);
        Assert.Equal(1, spec.Services[0].Pods!.Replicas);
        Assert.Equal("http://127.0.0.1:19090", spec.AdminUrls);
    }

    [Fact]
    public void Load_TemplateHash_ChangesWithTheTemplateOnly()
    {
        var a = Load(Web, out _).Services[0].Pods!.TemplateHash;
        var b = Load(Web, out _, "--Gateway:Services:web:Replicas=1").Services[0].Pods!.TemplateHash;
        var c = Load(Web, out _, "--Gateway:Services:web:Template:spec:containers:0:args:1=2").Services[0].Pods!.TemplateHash;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    public static TheoryData<string, string> InvalidServices => new()
    {
        { """{ "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"], "livenessProbe": { "exec": { "command": ["true"] }, "successThreshold": 2 } } ] } } }""",
          "Gateway:Services:web:Template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
        { """{ "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"], "readinesProbe": { } } ] } } }""",
          "Gateway:Services:web:Template.spec.containers[0].readinesProbe: Invalid value: \"readinesProbe\": unknown field; did you mean \"readinessProbe\"?" },
        { """{ "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"], "ports": [ { "containerPort": "http" } ] } ] } } }""",
          "Gateway:Services:web:Template.spec.containers[0].ports[0].containerPort: Invalid value: \"http\": must be an integer" },
        { """{ "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } }, "Manifest": "pod.yaml" }""",
          "Gateway:Services:web: Invalid value: both Template and Manifest are set: give the pod template inline (Template) or as a Kubernetes YAML file (Manifest), not both" },
        { """{ "Replicas": 2 }""",
          "Gateway:Services:web: Required value: set Template (a Kubernetes PodTemplateSpec) or Manifest (the path of a Kubernetes YAML file holding a Pod or a Deployment)" },
        { """{ "Runtime": "Podman", "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } } }""",
          "Gateway:Services:web:Runtime: Unsupported value: \"Podman\": supported values: \"Process\", \"Docker\", \"Kubernetes\", \"Static\"" },
        { """{ "Runtime": "Docker", "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } } }""",
          "Gateway:Services:web:Template.spec.containers[0].image: Required value: the Docker runtime runs an image; name one (e.g. \"busybox\")" },
        { """{ "Replicas": -1, "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } } }""",
          "Gateway:Services:web:Replicas: Invalid value: -1: must be greater than or equal to 0" },
        { """{ "Replica": 2, "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } } }""",
          "Gateway:Services:web:Replica: Invalid value: \"Replica\": unknown field; did you mean \"Replicas\"?" },
        { """{ "Route": { "Path": "api" }, "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ] } } }""",
          "Gateway:Services:web:Route:Path: Invalid value: \"api\": must start with '/', e.g. \"/api/{**rest}\"" },
        { """{ "Template": { "spec": { "containers": [ { "name": "a", "command": ["x"] } ], "volumes": [ { "name": "v", "nfs": { "server": "x", "path": "/" } } ] } } }""",
          "Gateway:Services:web:Template.spec.volumes[0].nfs: Forbidden: not supported by the gateway; remove it" },
        { """{ "Manifest": "missing.yaml" }""",
          "Gateway:Services:web:Manifest: Not found: \"{dir}/missing.yaml\": no such file; a relative path is relative to the settings file's folder" },
    };

    [Theory]
    [MemberData(nameof(InvalidServices))]
    public void Load_InvalidService_ReportsTheFieldPath(string service, string expected)
    {
        Load($$"""{ "Gateway": { "Services": { "web": {{service}} } } }""", out var errors);

        Assert.Contains(expected.Replace("{dir}", _dir, StringComparison.Ordinal), errors);
    }

    [Fact]
    public void Load_ManyErrors_ReportsEveryOne()
    {
        Load("""
            { "Gateway": { "Services": {
              "a": { "Replicas": 2 },
              "b": { "Template": { "spec": { "containers": [ { "name": "x", "command": ["x"], "readinessProbe": { "periodSeconds": 0 } } ] } } },
              "Bad_Name": { "Template": { "spec": { "containers": [ { "name": "x", "command": ["x"] } ] } } }
            } } }
            """, out var errors);

        Assert.Contains(errors, e => e.StartsWith("Gateway:Services:a: Required value", StringComparison.Ordinal));
        Assert.Contains("Gateway:Services:b:Template.spec.containers[0].readinessProbe: Required value: must specify a handler type", errors);
        Assert.Contains("Gateway:Services:b:Template.spec.containers[0].readinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1", errors);
        Assert.Contains(errors, e => e.StartsWith("Gateway:Services:Bad_Name: Invalid value: \"Bad_Name\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_PodManifest_IsOneNamedPodRelativeToTheSettingsFile()
    {
        File.Copy(Path.Combine(SettingsFixture.RepoRoot(), "config", "examples", "liveness-exec.yaml"), Path.Combine(_dir, "seed.yaml"));

        var spec = Load("""{ "Gateway": { "Services": { "seed": { "Manifest": "seed.yaml" } } } }""", out var errors);

        Assert.Empty(errors);
        var seed = Assert.Single(spec.Services);
        Assert.Equal("test-liveness-exec", seed.Pods!.PodName);
        Assert.Equal(1, seed.Pods!.Replicas);
        Assert.Equal("liveness", seed.Pods!.Labels["test"]);
        var probe = seed.Pods!.PodSpec.Containers[0].LivenessProbe;
        Assert.Equal(["cat", "/tmp/healthy"], probe.Exec.Command);
        Assert.Equal(5, probe.InitialDelaySeconds);
        Assert.Equal(5, probe.PeriodSeconds);
    }

    [Fact]
    public void Load_DeploymentManifest_UsesItsReplicasAndTemplate()
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              replicas: 4
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  containers:
                  - name: web
                    command: ["demo"]
            """);

        var spec = Load("""{ "Gateway": { "Services": { "web": { "Manifest": "web.yaml" } } } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(4, spec.Services[0].Pods!.Replicas);
        Assert.Null(spec.Services[0].Pods!.PodName);
    }

    [Fact]
    public void Load_InvalidDeploymentManifest_NamesTheFieldInTheManifest()
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              template:
                spec:
                  containers:
                  - name: web
                    command: ["demo"]
                    livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 3 }
            """);

        Load("""{ "Gateway": { "Services": { "web": { "Manifest": "web.yaml" } } } }""", out var errors);

        Assert.Equal(["Gateway:Services:web:Manifest(web.yaml).spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1"], errors);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Ingress\nmetadata: { name: s }\n", "kind \"Ingress\": supported kinds: \"Pod\", \"Deployment\", \"Job\", \"ConfigMap\", \"Secret\", \"Service\"")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n  - name: a\n    bogus: 1\n", "line 7, column 5: \"bogus\": unknown field; check its spelling against the Kubernetes API reference")]
    public void Load_BadManifest_NamesTheProblem(string yaml, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "m.yaml"), yaml);

        Load("""{ "Gateway": { "Services": { "m": { "Manifest": "m.yaml" } } } }""", out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith("Gateway:Services:m:Manifest: ", error, StringComparison.Ordinal);
        Assert.EndsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KubernetesService_NamesTheClusterServiceAndDefaultsTheProbe()
    {
        var spec = Load("""
            { "Gateway": { "Kubernetes": { "Kubeconfig": "kube/config" }, "Services": { "shop": {
                "Runtime": "Kubernetes", "Namespace": "store", "Service": "shop-svc", "Port": "http",
                "ReadinessProbe": { "httpGet": { "path": "/ready", "port": "http" }, "periodSeconds": 2 }
            } } } }
            """, out var errors);

        Assert.Empty(errors);
        var shop = Assert.Single(spec.Services);
        Assert.Equal(Path.Combine(_dir, "kube", "config"), spec.Kubeconfig);
        var cluster = Assert.IsType<ClusterBackend>(shop.Backend);
        Assert.Equal(("store", "shop-svc", "http"), (cluster.Namespace, cluster.Service, cluster.Port));
        Assert.Equal(2, cluster.ReadinessProbe!.PeriodSeconds);
        Assert.Equal(3, cluster.ReadinessProbe.FailureThreshold);
        Assert.Equal("HTTP", cluster.ReadinessProbe.HttpGet.Scheme);
    }

    [Fact]
    public void Load_KubernetesServiceMinimal_DefaultNamespaceAndFirstPort()
    {
        var spec = Load("""{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Service": "shop" } } } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new ClusterBackend("default", "shop", null, null), spec.Services[0].Backend);
        Assert.Null(spec.Kubeconfig);
    }

    [Theory]
    [InlineData("""{ "Runtime": "Kubernetes" }""", "Gateway:Services:shop:Service: Required value: the name of the cluster Service whose EndpointSlices the gateway routes to")]
    [InlineData("""{ "Runtime": "Kubernetes", "Service": "Shop_1" }""", "Gateway:Services:shop:Service: Invalid value: \"Shop_1\": a Service name must be a lowercase RFC 1123 label")]
    [InlineData("""{ "Runtime": "Kubernetes", "Service": "shop", "Port": "70000" }""", "Gateway:Services:shop:Port: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("""{ "Runtime": "Kubernetes", "Service": "shop", "Replicas": 2 }""", "Gateway:Services:shop:Replicas: Forbidden: a Kubernetes service's pods are the cluster's; remove Replicas")]
    [InlineData("""{ "Runtime": "Kubernetes", "Service": "shop", "ReadinessProbe": { "exec": { "command": [ "true" ] } } }""", "Gateway:Services:shop:ReadinessProbe.exec: Forbidden: the gateway cannot exec in a cluster's pod; use httpGet, tcpSocket or grpc")]
    [InlineData("""{ "Runtime": "Kubernetes", "Service": "shop", "ReadinessProbe": { "tcpSocket": { "port": 80 }, "periodSeconds": 0 } }""", "Gateway:Services:shop:ReadinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1")]
    [InlineData("""{ "Service": "shop", "Template": { "spec": { "containers": [ { "name": "a", "command": [ "x" ] } ] } } }""", "Gateway:Services:shop:Service: Forbidden: only a service with Runtime \"Kubernetes\" names a cluster Service; remove Service or set Runtime to Kubernetes")]
    public void Load_InvalidKubernetesService_ReportsTheFieldPath(string service, string expected)
    {
        Load($$"""{ "Gateway": { "Services": { "shop": {{service}} } } }""", out var errors);

        Assert.Contains(expected, errors);
    }
}
