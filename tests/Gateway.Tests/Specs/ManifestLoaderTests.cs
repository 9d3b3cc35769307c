using System.Text;
using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class ManifestLoaderTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private const string Settings = """{ "Gateway": { "Services": { "web": { "Manifest": "m.yaml" } } } }""";

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                command: [demo]
                ports: [{name: http, containerPort: 8080}]
        """;

    private GatewaySpec Load(string yaml, out IReadOnlyList<string> errors, string settings = Settings)
    {
        _files.Write("m.yaml", yaml);
        return _files.Load(settings, out errors);
    }

    [Fact]
    public void Load_KubectlGetDeployOutput_RunsUnchanged()
    {
        var yaml = File.ReadAllText(Path.Combine(SettingsFixture.RepoRoot(), "config/examples/kubectl-get-deploy.yaml"));

        var spec = Load(yaml, out var errors);

        Assert.Equal("", string.Join("\n", errors));
        var pods = spec.Services[0].Pods!;
        Assert.Equal(2, pods.Replicas);
        Assert.Equal(new RolloutSpec("1", "0"), pods.Rollout);
        Assert.Empty(pods.Annotations); // the revision annotation is the Deployment's, not its pods'
    }

    // Each value is what a cluster prints for a field nobody set; the gateway does not implement the field.
    [Theory]
    [InlineData("dnsPolicy: ClusterFirst")]
    [InlineData("schedulerName: default-scheduler")]
    [InlineData("securityContext: {}")]
    [InlineData("enableServiceLinks: true")]
    [InlineData("serviceAccountName: default")]
    [InlineData("priority: 0")]
    [InlineData("preemptionPolicy: PreemptLowerPriority")]
    [InlineData("hostNetwork: false")]
    [InlineData("tolerations: []")]
    [InlineData("nodeSelector: {}")]
    [InlineData("affinity: {}")]
    public void Load_PodFieldAtItsApiDefault_IsAccepted(string field)
    {
        Load(Deployment.Replace("      containers:", $"      {field}\n      containers:", StringComparison.Ordinal), out var errors);

        Assert.Empty(errors);
    }

    // A value that is not the default asks for something the gateway does not do: refused by name, with the fix.
    public static TheoryData<string, string, string> NonDefaults => new()
    {
        { "      containers:", "      dnsPolicy: None\n      containers:", "Gateway:Services:web:Manifest(m.yaml).spec.template.spec.dnsPolicy: Forbidden: not supported by the gateway; remove it" },
        { "      containers:", "      securityContext: {runAsUser: 1000}\n      containers:", "Gateway:Services:web:Manifest(m.yaml).spec.template.spec.securityContext: Forbidden: not supported by the gateway; remove it" },
        { "  replicas: 2", "  replicas: 2\n  revisionHistoryLimit: 3", "Gateway:Services:web:Manifest(m.yaml).spec.revisionHistoryLimit: Forbidden: not supported by the gateway, which keeps no old ReplicaSets; remove it or set it to its default, 10" },
        { "  replicas: 2", "  replicas: 2\n  progressDeadlineSeconds: 60", "Gateway:Services:web:Manifest(m.yaml).spec.progressDeadlineSeconds: Forbidden: not supported by the gateway; remove it or set it to its default, 600" },
        { "  replicas: 2", "  replicas: 2\n  minReadySeconds: 5", "Gateway:Services:web:Manifest(m.yaml).spec.minReadySeconds: Forbidden: not supported by the gateway; remove it or set it to its default, 0 (for a gentle start see the service's SlowStartSeconds)" },
        { "  replicas: 2", "  replicas: 2\n  paused: true", "Gateway:Services:web:Manifest(m.yaml).spec.paused: Forbidden: not supported by the gateway; remove it" },
        { "  replicas: 2", "  replicas: 2\n  strategy: {type: Recreate}", "Gateway:Services:web:Manifest(m.yaml).spec.strategy.type: Unsupported value: \"Recreate\": supported values: \"RollingUpdate\"; the gateway replaces pods by a rolling update: for one that stops every old pod first, set rollingUpdate: {maxSurge: 0, maxUnavailable: 100%}" },
        { "  replicas: 2", "  replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}", "Gateway:Services:web:Manifest(m.yaml).spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0\": may not be 0 when `maxSurge` is 0" },
        { "  replicas: 2", "  replicas: 2\n  strategy: {rollingUpdate: {maxUnavailable: 120%}}", "Gateway:Services:web:Manifest(m.yaml).spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%" },
        { "  selector: {matchLabels: {app: web}}", "  selector: {matchLabels: {app: api}}", "Gateway:Services:web:Manifest(m.yaml).spec.template.metadata.labels: Invalid value: map[app:web]: `selector` does not match template `labels`" },
        { "  selector: {matchLabels: {app: web}}", "  selector: {matchExpressions: [{key: app, operator: Exists}]}", "Gateway:Services:web:Manifest(m.yaml).spec.selector.matchExpressions: Forbidden: not supported by the gateway: select the pods with matchLabels; remove it" },
        { "metadata: {name: web}", "metadata: {name: web, namespace: prod}", "Gateway:Services:web:Manifest(m.yaml).metadata.namespace: Invalid value: \"prod\": the gateway's pods, ConfigMaps and Secrets are in namespace \"default\"; remove the namespace or set it to \"default\"" },
        { "metadata: {name: web}", "metadata: {name: web, finalizers: [example.com/keep]}", "Gateway:Services:web:Manifest(m.yaml).metadata.finalizers: Forbidden: not supported by the gateway; remove it" },
        { "    metadata: {labels: {app: web}}", "    metadata: {labels: {app: web}, generateName: web-}", "Gateway:Services:web:Manifest(m.yaml).spec.template.metadata.generateName: Forbidden: not supported by the gateway; remove it" },
        { "        command: [demo]", "        command: [demo]\n        tty: true", "Gateway:Services:web:Manifest(m.yaml).spec.template.spec.containers[0].tty: Forbidden: not supported by the gateway; remove it" },
    };

    [Theory]
    [MemberData(nameof(NonDefaults))]
    public void Load_FieldNotAtItsDefault_IsRefusedByName(string find, string replace, string expected)
    {
        Load(Deployment.Replace(find, replace, StringComparison.Ordinal), out var errors);

        Assert.Equal(expected, Assert.Single(errors));
    }

    [Fact]
    public void Load_SettingsStrategy_OverridesTheDeployments()
    {
        var spec = Load(Deployment.Replace("  replicas: 2", "  replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 1}}", StringComparison.Ordinal), out var errors,
            """{ "Gateway": { "Services": { "web": { "Manifest": "m.yaml", "Strategy": { "MaxSurge": "50%" } } } } }""");

        Assert.Empty(errors);
        Assert.Equal(new RolloutSpec("50%", "1"), spec.Services[0].Pods!.Rollout);
    }

    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app-config, namespace: default, uid: 1f2e, resourceVersion: "7"}
        data: {mode: fast, app.conf: "x = 1\n"}
        binaryData: {logo.png: iVBORw0K}
        """;

    private const string Secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        type: Opaque
        data: {password: aHVudGVyMg==}
        stringData: {user: admin}
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http, protocol: TCP}]
          clusterIP: 10.96.0.12
          clusterIPs: [10.96.0.12]
          type: ClusterIP
          sessionAffinity: None
        status: {loadBalancer: {}}
        """;

    [Fact]
    public void Load_MultiDocumentFile_GathersConfigMapsAndSecretsBesideTheDeployment()
    {
        var spec = Load(string.Join("\n---\n", Deployment, ConfigMap, Secret, Service) + "\n---\n", out var errors);

        Assert.Empty(errors);
        var objects = spec.Services[0].Pods!.Objects;
        Assert.Equal("fast", objects.ConfigMaps["app-config"].Data["mode"]);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A], objects.ConfigMaps["app-config"].BinaryData["logo.png"]);
        Assert.Equal("hunter2", Encoding.UTF8.GetString(objects.Secrets["creds"]["password"]));
        Assert.Equal("admin", Encoding.UTF8.GetString(objects.Secrets["creds"]["user"]));
    }

    // The Deployment with a second container, whose ports come after the first container's.
    private const string TwoPortDeployment = Deployment + """

              - name: api
                command: [api]
                ports: [{containerPort: 7070}, {name: grpc, containerPort: 9090}]
        """;

    // A Service's targetPort picks the container port the route sends to, by name or number; unset, it is the Service's port.
    [Theory]
    [InlineData("targetPort: grpc", "api", 9090)]
    [InlineData("targetPort: 7070", "api", 7070)]
    [InlineData("targetPort: http", "web", 8080)]
    [InlineData("targetPort: 8080", "web", 8080)]
    public void Load_ServiceTargetPort_RoutesToThatContainerPort(string targetPort, string container, int containerPort)
    {
        var spec = Load(TwoPortDeployment + "\n---\n" + Service.Replace("targetPort: http", targetPort, StringComparison.Ordinal), out var errors);

        Assert.Empty(errors);
        Assert.Equal((container, containerPort), (spec.Services[0].Pods!.RouteTarget!.Container, spec.Services[0].Pods!.RouteTarget!.ContainerPort));
    }

    [Fact]
    public void Load_ServiceWithoutTargetPort_TargetsItsPort()
    {
        var spec = Load(TwoPortDeployment + "\n---\n" + Service.Replace("port: 80, targetPort: http", "port: 7070", StringComparison.Ordinal), out var errors);

        Assert.Empty(errors);
        Assert.Equal(("api", 7070), (spec.Services[0].Pods!.RouteTarget!.Container, spec.Services[0].Pods!.RouteTarget!.ContainerPort));
    }

    [Fact]
    public void Load_NoService_NoRouteTarget() => Assert.Null(Load(TwoPortDeployment, out _).Services[0].Pods!.RouteTarget);

    [Fact]
    public void Load_TargetPortChanged_ChangesTheTemplateHash()
    {
        var grpc = Load(TwoPortDeployment + "\n---\n" + Service.Replace("targetPort: http", "targetPort: grpc", StringComparison.Ordinal), out _).Services[0].Pods!.TemplateHash;
        var http = Load(TwoPortDeployment + "\n---\n" + Service, out _).Services[0].Pods!.TemplateHash;

        Assert.NotEqual(grpc, http);
    }

    [Fact]
    public void Load_ConfigMapChanged_ChangesTheTemplateHash()
    {
        var before = Load(Deployment + "\n---\n" + ConfigMap, out _).Services[0].Pods!.TemplateHash;
        var after = Load(Deployment + "\n---\n" + ConfigMap.Replace("mode: fast", "mode: slow", StringComparison.Ordinal), out _).Services[0].Pods!.TemplateHash;
        var same = Load(Deployment + "\n---\n" + ConfigMap, out _).Services[0].Pods!.TemplateHash;

        Assert.NotEqual(before, after);
        Assert.Equal(before, same);
    }

    [Fact]
    public void Load_ConfigFiles_AddTheirObjectsAndAreWatched()
    {
        _files.Write("config.yaml", ConfigMap + "\n---\n" + Secret);

        var spec = Load(Deployment, out var errors, """{ "Gateway": { "Services": { "web": { "Manifest": "m.yaml", "ConfigFiles": [ "config.yaml" ] } } } }""");

        Assert.Empty(errors);
        Assert.Contains("app-config", spec.Services[0].Pods!.Objects.ConfigMaps.Keys);
        Assert.Equal([Path.Combine(_files.Directory, "m.yaml"), Path.Combine(_files.Directory, "config.yaml")], spec.Services[0].SourceFiles);
    }

    // Bad documents beside the Deployment: one message each, naming the object and the fix.
    public static TheoryData<string, string> BadDocuments => new()
    {
        { Secret.Replace("aHVudGVyMg==", "not base64!", StringComparison.Ordinal), "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 19, column 18: Invalid value: a Secret's data values must be base64 (`echo -n value | base64`); put plain text under stringData instead" },
        { ConfigMap.Replace("mode: fast", "'bad key': fast", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):configmap/app-config.data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
        { ConfigMap.Replace("logo.png: iVBORw0K", "mode: iVBORw0K", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):configmap/app-config.binaryData[mode]: Invalid value: \"mode\": duplicate of key present in data" },
        { ConfigMap.Replace("name: app-config,", "", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):configmap(line 14).metadata.name: Required value: a ConfigMap must be named" },
        { ConfigMap + "\n---\n" + ConfigMap, "Gateway:Services:web:Manifest(m.yaml):configmap/app-config.metadata.name: Duplicate value: \"app-config\": ConfigMap \"app-config\" is already defined at Gateway:Services:web:Manifest(m.yaml):configmap/app-config" },
        { Service.Replace("targetPort: http", "targetPort: 9090", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):service/web.spec.ports[0].targetPort: Invalid value: \"9090\": no container of the pod declares containerPort 9090 (the gateway routes only to declared ports: \"http\" (8080)); target one of them, or declare it in the container's ports" },
        { Service.Replace("targetPort: http", "targetPort: metrics", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):service/web.spec.ports[0].targetPort: Invalid value: \"metrics\": no container port is named \"metrics\" (declared: \"http\" (8080)); target one of them by name or number, or name the port in the container's ports" },
        { Service.Replace("targetPort: http, ", "", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):service/web.spec.ports[0].targetPort: Invalid value: \"80\": no container of the pod declares containerPort 80 (the gateway routes only to declared ports: \"http\" (8080)); target one of them, or declare it in the container's ports" },
        { Service.Replace("selector: {app: web}", "selector: {app: api}", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):service/web.spec.selector: Invalid value: map[app:api]: selects none of the manifest's pods (labels map[app:web]); make it match the pod template's labels" },
        { Service.Replace("type: ClusterIP", "type: LoadBalancer", StringComparison.Ordinal), "Gateway:Services:web:Manifest(m.yaml):service/web.spec.type: Forbidden: not supported by the gateway; remove it" },
        { "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n", "Gateway:Services:web:Manifest: Unsupported value: {dir}/m.yaml: line 14: kind \"Ingress\": supported kinds: \"Pod\", \"Deployment\", \"Job\", \"ConfigMap\", \"Secret\", \"Service\"" },
        { Deployment, "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": holds 2 Pods or Deployments (lines 1, 14); a service runs one: give each its own service" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Load_BadDocumentBesideTheDeployment_NamesItAndTheFix(string document, string expected)
    {
        Load(Deployment + "\n---\n" + document, out var errors);

        Assert.Equal(expected.Replace("{dir}", _files.Directory, StringComparison.Ordinal), Assert.Single(errors));
    }

    [Fact]
    public void Load_ConfigMapsOnly_NamesTheMissingWorkload()
    {
        Load(ConfigMap, out var errors);

        Assert.Equal([$"Gateway:Services:web:Manifest: Required value: {_files.Directory}/m.yaml holds no Pod or Deployment: a service's manifest holds one, beside the ConfigMaps, Secrets and Service it uses"], errors);
    }
}
