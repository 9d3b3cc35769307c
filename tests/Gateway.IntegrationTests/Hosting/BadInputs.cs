using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// One valid configuration (a settings file and the Deployment manifest it names) and the bad inputs
/// of issue 10 as edits of it, each with the error that must name it: the field path and the reason.
/// </summary>
internal static class BadInputs
{
    public const string ManifestName = "web.yaml";

    /// <summary>A bad input: an edit of the settings (tree or text) or of the manifest, and a pattern of the error.</summary>
    public sealed record Row(string Name, string Expected, Action<JsonObject>? Gateway = null, Func<string, string>? SettingsText = null, Func<string, string>? Manifest = null);

    /// <summary>A container that runs until stopped and whose command line holds <paramref name="marker"/>; it creates <c>marker.ran</c> when it starts.</summary>
    public static string[] MarkerCommand(string marker) => ["/bin/sh", "-c", "touch \"$0.ran\"; while :; do sleep 1; done", marker];

    public static string[] DemoCommand { get; } = ["dotnet", RepoPaths.DemoBackendDll];

    /// <summary>The settings: <c>web</c> from the manifest (2 replicas), <c>api</c> inline with no replicas.</summary>
    public static JsonObject Settings(int proxyPort, int adminPort, string[] command) => new()
    {
        ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information", ["Microsoft"] = "Warning", ["Yarp"] = "Warning" } },
        ["Gateway"] = new JsonObject
        {
            ["Proxy"] = new JsonObject { ["Urls"] = $"http://127.0.0.1:{proxyPort}" },
            ["Admin"] = new JsonObject { ["Urls"] = $"http://127.0.0.1:{adminPort}" },
            ["StateDirectory"] = "state", // the admin token beside the test's settings, not in the machine's state folder
            ["Services"] = new JsonObject
            {
                ["web"] = new JsonObject { ["Manifest"] = ManifestName, ["Retries"] = new JsonObject { ["Attempts"] = 2 } },
                ["api"] = new JsonObject
                {
                    ["Route"] = new JsonObject { ["Path"] = "/api/{**rest}" },
                    ["Replicas"] = 0,
                    ["Template"] = JsonNode.Parse($$"""
                        { "spec": { "terminationGracePeriodSeconds": 5, "containers": [ {
                            "name": "api", "command": {{JsonSerializer.Serialize(command)}},
                            "ports": [ { "name": "http", "containerPort": 8080 } ],
                            "resources": { "limits": { "memory": "64Mi" } },
                            "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 } } ] } }
                        """),
                },
            },
        },
    };

    public static string Manifest(string[] command, int replicas = 2) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              terminationGracePeriodSeconds: 5
              containers:
              - name: web
                command: {{JsonSerializer.Serialize(command)}}
                ports:
                - name: http
                  containerPort: 8080
                readinessProbe:
                  httpGet:
                    path: /readyz
                    port: http
                  periodSeconds: 1
        """;

    /// <summary>The files of <paramref name="row"/> (or the valid ones when null): settings text and manifest text.</summary>
    public static (string Settings, string Manifest) Files(Row? row, int proxyPort, int adminPort, string[] command)
    {
        var settings = Settings(proxyPort, adminPort, command);
        row?.Gateway?.Invoke(settings["Gateway"]!.AsObject());
        var text = settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var manifest = Manifest(command);
        return (row?.SettingsText?.Invoke(text) ?? text, row?.Manifest?.Invoke(manifest) ?? manifest);
    }

    /// <summary>The <c>Gateway:Services</c> object of a settings text, as JSON.</summary>
    public static string ServicesOf(string settings) => JsonNode.Parse(settings)!["Gateway"]!["Services"]!.ToJsonString();

    /// <summary>The admin listener's port in a settings text.</summary>
    public static int AdminPortOf(string settings) => new Uri(JsonNode.Parse(settings)!["Gateway"]!["Admin"]!["Urls"]!.GetValue<string>()).Port;

    private static JsonObject Service(JsonObject gateway, string name) => gateway["Services"]![name]!.AsObject();

    private static JsonObject Api(JsonObject gateway) => Service(gateway, "api")["Template"]!["spec"]!["containers"]![0]!.AsObject();

    private const string ApiSpec = @"Gateway:Services:api:Template\.spec";
    private const string WebManifest = @"Gateway:Services:web:Manifest";

    /// <summary>Rows that apply at start and on reload.</summary>
    public static IReadOnlyList<Row> Files() =>
    [
        new("periodSeconds-99999999999", $@"{ApiSpec}\.containers\[0\]\.readinessProbe\.periodSeconds: Invalid value",
            Gateway: g => Api(g)["readinessProbe"]!["periodSeconds"] = 99999999999),
        new("manifest-periodSeconds-99999999999", $@"{WebManifest}[^\n]*(periodSeconds[^\n]*Invalid value|Invalid value[^\n]*line)",
            Manifest: m => m.Replace("periodSeconds: 1", "periodSeconds: 99999999999", StringComparison.Ordinal)),
        new("terminationGracePeriodSeconds-int64-max", $@"{ApiSpec}\.terminationGracePeriodSeconds: Invalid value",
            Gateway: g => Service(g, "api")["Template"]!["spec"]!["terminationGracePeriodSeconds"] = long.MaxValue),
        new("SlowStartSeconds-1e20", @"Gateway:Services:web:SlowStartSeconds: Invalid value",
            Gateway: g => Service(g, "web")["SlowStartSeconds"] = 1e20),
        new("memory-lots", $@"{ApiSpec}\.containers\[0\]\.resources\.limits(\.memory|\[memory\]): Invalid value",
            Gateway: g => Api(g)["resources"]!["limits"]!["memory"] = "lots"),
        new("route-two-catch-alls", @"Gateway:Services:api:Route:Path: Invalid value",
            Gateway: g => Service(g, "api")["Route"]!["Path"] = "/{**a}/{**b}"),
        new("two-services-without-route", @"Gateway:Services:(api|web):Route(:Path)?: (Duplicate value|Invalid value|Forbidden)",
            Gateway: g => Service(g, "api").Remove("Route")),
        new("depends-on-cycle", @"Gateway:Services:api:DependsOn:web: Invalid value: ""web"": dependency cycle: api -> web -> api",
            Gateway: g => { Service(g, "web")["DependsOn"] = new JsonObject { ["api"] = "Ready" }; Service(g, "api")["DependsOn"] = new JsonObject { ["web"] = "Started" }; }),
        new("depends-on-missing", @"Gateway:Services:web:DependsOn:db: Not found: ""db"": no service is named ""db""",
            Gateway: g => Service(g, "web")["DependsOn"] = new JsonObject { ["db"] = "Ready" }),
        new("depends-on-succeeded-not-a-job", @"Gateway:Services:web:DependsOn:api: Invalid value: ""Succeeded"": service ""api"" is not a Job",
            Gateway: g => Service(g, "web")["DependsOn"] = new JsonObject { ["api"] = "Succeeded" }),
        new("job-restart-always", @"Gateway:Services:api:Template\.spec\.restartPolicy: Unsupported value: ""Always""",
            Gateway: g => { Service(g, "api")["Job"] = new JsonObject(); Service(g, "api")["Template"]!["spec"]!["restartPolicy"] = "Always"; }),
        new("TerminatedPodHistory-101", @"Gateway:TerminatedPodHistory: Invalid value: 101: must be between 0 and 100",
            Gateway: g => g["TerminatedPodHistory"] = 101),
        new("ConfigFiles-missing", @"Gateway:Services:web:ConfigFiles:0: Not found: [^\n]*no-such-configmaps.yaml",
            Gateway: g => Service(g, "web")["ConfigFiles"] = new JsonArray("no-such-configmaps.yaml")),
        new("manifest-unclosed-bracket", $@"{WebManifest}: Invalid value: [^\n]*line \d+",
            Manifest: m => m.Replace("containerPort: 8080", "containerPort: [8080", StringComparison.Ordinal)),
        new("manifest-kind-ingress", $@"{WebManifest}: Unsupported value",
            Manifest: m => m.Replace("kind: Deployment", "kind: Ingress", StringComparison.Ordinal)),
        new("manifest-secret-invalid-base64", $@"{WebManifest}: Invalid value: [^\n]*line \d+[^\n]*base64[^\n]*stringData",
            Manifest: m => m + "\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {password: \"not base64!\"}\n"),
        new("manifest-configmap-bad-key", $@"{WebManifest}\(web\.yaml\):configmap/app-config\.data\[bad key\]: Invalid value",
            Manifest: m => m + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\ndata: {'bad key': x}\n"),
        new("manifest-volume-not-declared", $@"{WebManifest}\(web\.yaml\)\.spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: ""data"": [^\n]*declare it",
            Manifest: m => m.Replace("        ports:\n", "        volumeMounts: [{name: data, mountPath: /data}]\n        ports:\n", StringComparison.Ordinal)),
        new("manifest-mountpath-clash", $@"{WebManifest}\(web\.yaml\)\.spec\.template\.spec\.containers\[0\]\.volumeMounts\[1\]\.mountPath: Invalid value: ""/data"": must be unique",
            Manifest: m => m.Replace("        ports:\n", "        volumeMounts: [{name: a, mountPath: /data}, {name: b, mountPath: /data}]\n        ports:\n", StringComparison.Ordinal)
                .Replace("      containers:\n", "      volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]\n      containers:\n", StringComparison.Ordinal)),
        new("manifest-replicas-99999999999", $@"{WebManifest}[^\n]*(replicas[^\n]*Invalid value|Invalid value[^\n]*line)",
            Manifest: m => m.Replace("replicas: 2", "replicas: 99999999999", StringComparison.Ordinal)),
        new("manifest-dev-zero", $@"{WebManifest}: (Invalid value|Forbidden|Too long|Unsupported value)",
            Gateway: g => Service(g, "web")["Manifest"] = "/dev/zero"),
        new("pod-name-as-path", $@"{WebManifest}[^\n]*(metadata\.name[^\n]*Invalid value|Invalid value[^\n]*metadata\.name)",
            Manifest: m => "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ../../../../tmp/x/evil\nspec:" + m[(m.IndexOf("\n      terminationGracePeriodSeconds", StringComparison.Ordinal))..].Replace("\n    ", "\n", StringComparison.Ordinal)),
        new("invalid-url", @"Gateway:Proxy:Urls: Invalid value",
            Gateway: g => g["Proxy"]!["Urls"] = "not a url"),
        new("port-70000", @"Gateway:Proxy:Urls: Invalid value",
            Gateway: g => g["Proxy"]!["Urls"] = "http://127.0.0.1:70000"),
        new("proxy-and-admin-on-one-port", @"Gateway:(Proxy|Admin):Urls: (Duplicate value|Invalid value|cannot listen on)",
            Gateway: g => g["Admin"]!["Urls"] = g["Proxy"]!["Urls"]!.GetValue<string>()),
        new("proxy-url-typo", @"Gateway:Proxy:Url: [^\n]*Urls",
            Gateway: g => g["Proxy"] = new JsonObject { ["Url"] = g["Proxy"]!["Urls"]!.GetValue<string>() }),
        new("retries-attempts-2.7", @"Gateway:Services:web:Retries:Attempts: Invalid value",
            Gateway: g => Service(g, "web")["Retries"]!["Attempts"] = 2.7),
        new("retries-bufferbytes-1e12", @"Gateway:Services:web:Retries:BufferBytes: Invalid value",
            Gateway: g => Service(g, "web")["Retries"]!["BufferBytes"] = 1e12),
        new("maxsurge-0-maxunavailable-0", @"Gateway:Services:web:Strategy(:MaxSurge|:MaxUnavailable)?: Invalid value",
            Gateway: g => Service(g, "web")["Strategy"] = new JsonObject { ["MaxSurge"] = 0, ["MaxUnavailable"] = 0 }),
        new("replicas-99999999999", @"Gateway:Services:web:Replicas: Invalid value",
            Gateway: g => Service(g, "web")["Replicas"] = 99999999999),
        new("unknown-key", @"Gateway:Proxyy: ",
            Gateway: g => g["Proxyy"] = new JsonObject { ["Urls"] = "http://127.0.0.1:1" }),
        // The settings this round added: each refused at start (exit 2) and on reload (nothing changes), naming its field.
        new("protocol-http2", @"Gateway:Services:web:Protocol: Unsupported value: ""http2""",
            Gateway: g => Service(g, "web")["Protocol"] = "http2"),
        new("timeouts-request-soon", @"Gateway:Services:web:Timeouts:Request: Invalid value: ""soon"": must be a duration",
            Gateway: g => Service(g, "web")["Timeouts"] = new JsonObject { ["Request"] = "soon" }),
        new("timeouts-backend-longer-than-request", @"Gateway:Services:web:Timeouts:BackendRequest: Invalid value: ""10s"": must not be longer than Request",
            Gateway: g => Service(g, "web")["Timeouts"] = new JsonObject { ["Request"] = "5s", ["BackendRequest"] = "10s" }),
        new("outlier-percent-101", @"Gateway:Services:web:Outlier:MaxEjectionPercent: Invalid value",
            Gateway: g => Service(g, "web")["Outlier"] = new JsonObject { ["MaxEjectionPercent"] = 101 }),
        new("proxy-limits-header-count-0", @"Gateway:Proxy:Limits:MaxRequestHeaderCount: Invalid value",
            Gateway: g => g["Proxy"]!["Limits"] = new JsonObject { ["MaxRequestHeaderCount"] = 0 }),
        new("proxy-certificate-missing", @"Gateway:Proxy:Certificate:Path: ",
            Gateway: g => g["Proxy"]!["Certificate"] = new JsonObject { ["Path"] = "no-such.crt", ["KeyPath"] = "no-such.key" }),
        new("logs-max-size-lots", @"Gateway:Logs:ContainerLogMaxSize: Invalid value",
            Gateway: g => g["Logs"] = new JsonObject { ["ContainerLogMaxSize"] = "lots" }),
        new("process-private-tmp-no", @"Gateway:Process:PrivateTmp: Invalid value: ""no"": must be true or false",
            Gateway: g => g["Process"] = new JsonObject { ["PrivateTmp"] = "no" }),
        new("json-syntax-error", @"cannot read [^\n]*appsettings\.json: line \d+, position \d+: ",
            SettingsText: s => s[..(s.Length / 2)]),
        new("json-empty-file", @"cannot read [^\n]*appsettings\.json: line 1, position 1: ",
            SettingsText: _ => ""),
    ];

    /// <summary>The rows by name, for xUnit's member data.</summary>
    public static TheoryData<string> Names(Func<Row, bool>? where = null)
    {
        var data = new TheoryData<string>();
        foreach (var row in Files().Where(where ?? (_ => true)))
        {
            data.Add(row.Name);
        }

        return data;
    }

    public static Row Named(string name) => Files().Single(r => r.Name == name);
}
