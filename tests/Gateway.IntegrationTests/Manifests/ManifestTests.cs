using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Gateway.IntegrationTests.Manifests;

/// <summary>Manifests as a cluster prints them, several documents per file, env from ConfigMaps and Secrets, and volumes.</summary>
public sealed class ManifestTests
{
    private static string Directory(string yaml, string file = "web.yaml")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-manifests-").FullName;
        File.WriteAllText(Path.Combine(directory, file), yaml);
        return directory;
    }

    private static V1ContainerStatus Status(V1Pod pod, string container) => pod.Status.ContainerStatuses.Single(c => c.Name == container);

    [Fact]
    public async Task KubectlGetDeployOutput_RunsUnchanged()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "examples", "kubectl-get-deploy.yaml"))
            .Replace("$(GATEWAY_CONFIG_DIR)/../artifacts/demo-backend/DemoBackend.dll", RepoPaths.DemoBackendDll, StringComparison.Ordinal);
        await using var gateway = await GatewayProcess.StartAsync("""{ "web": { "Manifest": "web.yaml" } }""", Directory(yaml));

        await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(pod => pod.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True")), "both pods Ready");
        await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).StatusCode == HttpStatusCode.OK, "a proxied 200");
    }

    [Fact]
    public async Task ServiceTargetPort_ByName_RoutesToThatContainersPortNotTheFirstDeclared()
    {
        // Two servers on real sockets: the pod's first declared port is "admin"'s; the Service targets "http", on the second container.
        // Beside the manifest: the settings' folder is what a Process container sees of the host's /tmp when it has a private one.
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-manifests-").FullName;
        var root = Path.Combine(directory, "site");
        foreach (var name in new[] { "admin", "web" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(root, name));
            await File.WriteAllTextAsync(Path.Combine(root, name, "index.html"), $"served by {name}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "web.yaml"), $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: admin
                    command: [busybox, httpd, -f, -p, '127.0.0.1:$(PORT)', -h, '{{{root}}}/admin']
                    ports: [{name: admin, containerPort: 9000}]
                  - name: web
                    command: [busybox, httpd, -f, -p, '127.0.0.1:$(PORT)', -h, '{{{root}}}/web']
                    ports: [{name: http, containerPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: http}]
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "web": { "Manifest": "web.yaml" } }""", directory);

        await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the pod Ready");
        var body = "";
        await Poll.UntilAsync(async () =>
        {
            using var response = await gateway.Proxy.GetAsync("/");
            body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK;
        }, "a proxied 200");

        Assert.Equal("served by web\n", body);
    }

    private const string EnvManifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web, tier: demo}, annotations: {example.com/note: hello}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: web
                command: [/bin/sh, -c, 'env; exec sleep 3600']
                ports: [{name: http, containerPort: 8080}]
                envFrom:
                - configMapRef: {name: app-config}
                  prefix: CFG_
                env:
                - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
                - {name: MY_POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
                - {name: NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['example.com/note']"}}}
                - {name: URL, value: 'http://$(POD_IP):$(PORT)/$(CFG_mode)'}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app-config}
        data: {mode: fast}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        data: {password: aHVudGVyMg==}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: http}]
        """;

    [Fact]
    public async Task MultiDocumentManifest_EnvFromConfigMapAndSecret_OnTheProcessRuntime()
    {
        await using var gateway = await GatewayProcess.StartAsync("""{ "web": { "Manifest": "web.yaml" } }""", Directory(EnvManifest));

        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Phase == "Running", "the pod running"))[0];
        var log = "";
        await Poll.UntilAsync(async () => (log = await gateway.Admin.GetStringAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/log")).Contains("CFG_mode=", StringComparison.Ordinal),
            "the environment in the container's log");

        Assert.Contains("CFG_mode=fast\n", log, StringComparison.Ordinal);
        Assert.Contains("DB_PASSWORD=hunter2\n", log, StringComparison.Ordinal);
        Assert.Contains($"MY_POD={pod.Metadata.Name}\n", log, StringComparison.Ordinal);
        Assert.Contains("TIER=demo\n", log, StringComparison.Ordinal);
        Assert.Contains("NOTE=hello\n", log, StringComparison.Ordinal);
        Assert.Contains($"URL=http://127.0.0.1:{pod.Spec.Containers[0].Ports[0].HostPort}/fast\n", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigMap_WaitsWithCreateContainerConfigError_AndStartsOnceAReloadAddsIt()
    {
        var withoutConfigMap = EnvManifest[..EnvManifest.IndexOf("---\napiVersion: v1\nkind: ConfigMap", StringComparison.Ordinal)];
        var directory = Directory(withoutConfigMap);
        await using var gateway = await GatewayProcess.StartAsync("""{ "web": { "Manifest": "web.yaml" } }""", directory);

        var waiting = await gateway.WaitForPodsAsync(p => p.Count == 1 && Status(p[0], "web").State.Waiting?.Reason == "CreateContainerConfigError", "CreateContainerConfigError");
        Assert.Equal("configmap \"app-config\" not found", Status(waiting[0], "web").State.Waiting.Message);
        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e.Reason == "Failed" && e.Message == "Error: configmap \"app-config\" not found"
            && e.InvolvedObject.FieldPath == "spec.containers{web}"), "the kubelet's Failed event");

        await File.WriteAllTextAsync(Path.Combine(directory, "web.yaml"), EnvManifest);

        await gateway.WaitForPodsAsync(p => p.Count(pod => pod.Status.Phase == "Running" && Status(pod, "web").State.Running is not null) == 1
            && p.All(pod => Status(pod, "web").State.Waiting?.Reason != "CreateContainerConfigError"), "the new pod running, the stuck one gone", TimeSpan.FromSeconds(30));
        Assert.False(gateway.HasExited);
    }

    [SkippableFact]
    public async Task MultiDocumentManifest_ConfigMapVolumeSecretAndSharedEmptyDir_OnDocker()
    {
        DockerEngine.RequireOrSkip();
        const string Yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: volumes}
            spec:
              terminationGracePeriodSeconds: 2
              volumes:
              - {name: shared, emptyDir: {}}
              - {name: cfg, configMap: {name: site, items: [{key: greeting, path: texts/greeting.txt}]}}
              - {name: creds, secret: {secretName: creds}}
              initContainers: []
              containers:
              - name: writer
                image: busybox:local
                imagePullPolicy: IfNotPresent
                command: [sh, -c, 'echo "$(cat /config/texts/greeting.txt)" > /out/index.html; echo "$MODE" >> /out/index.html; ls -l /creds/password | cut -c1-10 >> /out/index.html; cat /creds/password >> /out/index.html; echo ok > /out/healthz; exec sleep 3600']
                envFrom: [{configMapRef: {name: site}}]
                env: [{name: MODE, valueFrom: {configMapKeyRef: {name: site, key: mode}}}]
                volumeMounts:
                - {name: shared, mountPath: /out}
                - {name: cfg, mountPath: /config}
                - {name: creds, mountPath: /creds}
              - name: web
                image: busybox:local
                imagePullPolicy: IfNotPresent
                command: [sh, -c, 'exec httpd -f -p "$PORT" -h /www']
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
                volumeMounts: [{name: shared, mountPath: /www, readOnly: true}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: site}
            data: {greeting: hello from a configMap, mode: fast}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            stringData: {password: hunter2}
            """;
        var directory = Directory(Yaml.Replace("  initContainers: []\n", "", StringComparison.Ordinal));
        await using var gateway = await GatewayProcess.StartAsync("""{ "volumes": { "Runtime": "Docker", "Manifest": "web.yaml" } }""", directory);

        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the pod Ready", TimeSpan.FromSeconds(60)))[0];
        var page = await gateway.Proxy.GetStringAsync("/");

        Assert.Equal("hello from a configMap\nfast\n-rw-r--r--\nhunter2", page.TrimEnd('\n'));
        var folder = Path.Combine(directory, "state", "volumes", pod.Metadata.Uid);
        Assert.True(System.IO.Directory.Exists(folder), $"no volume folder {folder}");

        await gateway.StopAsync();
        Assert.False(System.IO.Directory.Exists(folder), "the pod's volumes outlived it");
    }
}
