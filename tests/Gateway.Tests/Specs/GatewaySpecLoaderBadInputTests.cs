using Gateway.Specs;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Specs;

/// <summary>
/// Every input a user can get wrong, each row a settings file (and a manifest where it needs one)
/// and the exact errors the loader must give: field path, reason and fix, never an exception.
/// </summary>
public sealed class GatewaySpecLoaderBadInputTests : IDisposable
{
    private const string Container = """{ "name": "a", "command": [ "x" ] }""";
    private const string Template = """{ "spec": { "containers": [ """ + Container + """ ] } }""";

    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Settings with one service "web" whose fields are <paramref name="fields"/> plus a valid Template.</summary>
    private static string Web(string fields) => $$"""{ "Gateway": { "Services": { "web": { {{fields}} "Template": {{Template}} } } } }""";

    /// <summary>Settings with one service "web" whose container is <paramref name="container"/>, under a pod spec that also holds <paramref name="spec"/>.</summary>
    private static string WebContainer(string container, string spec = "") =>
        $$"""{ "Gateway": { "Services": { "web": { "Template": { "spec": { {{spec}} "containers": [ { "name": "a", "command": [ "x" ], {{container}} } ] } } } } } }""";

    /// <summary>Settings with services "web" (on /) and "db" (on /db), each with a valid Template after its fields.</summary>
    private static string WebAndDb(string web, string db) =>
        $$"""{ "Gateway": { "Services": { "web": { {{web}} "Template": {{Template}} }, "db": { "Route": { "Path": "/db" }, {{db}} "Template": {{Template}} } } } }""";

    private const string JobTemplate = """{ "spec": { "restartPolicy": "Never", "containers": [ """ + Container + """ ] } }""";

    private static string Gateway(string fields) => $$"""{ "Gateway": { {{fields}}, "Services": { "web": { "Template": {{Template}} } } } }""";

    public static TheoryData<string, string> BadSettings => new()
    {
        // Service numbers: range-checked where read, refused rather than truncated.
        { Web("\"SlowStartSeconds\": 1e20,"), "Gateway:Services:web:SlowStartSeconds: Invalid value: 1e20: must be between 0 and 3600, inclusive" },
        { Web("\"SlowStartSeconds\": -1,"), "Gateway:Services:web:SlowStartSeconds: Invalid value: -1: must be between 0 and 3600, inclusive" },
        { Web("\"SlowStartSeconds\": \"NaN\","), "Gateway:Services:web:SlowStartSeconds: Invalid value: \"NaN\": must be a number" },
        { Web("\"SlowStartSeconds\": \"soon\","), "Gateway:Services:web:SlowStartSeconds: Invalid value: \"soon\": must be a number" },
        { Web("\"Retries\": { \"Attempts\": 2.7 },"), "Gateway:Services:web:Retries:Attempts: Invalid value: 2.7: must be an integer" },
        { Web("\"Retries\": { \"Attempts\": 1e20 },"), "Gateway:Services:web:Retries:Attempts: Invalid value: 1e20: must be between 0 and 10, inclusive" },
        { Web("\"Retries\": { \"Attempts\": -1 },"), "Gateway:Services:web:Retries:Attempts: Invalid value: -1: must be between 0 and 10, inclusive" },
        { Web("\"Retries\": { \"BudgetPercent\": 101 },"), "Gateway:Services:web:Retries:BudgetPercent: Invalid value: 101: must be between 0 and 100, inclusive" },
        { Web("\"Retries\": { \"MinConcurrent\": 1.5 },"), "Gateway:Services:web:Retries:MinConcurrent: Invalid value: 1.5: must be an integer" },
        { Web("\"Retries\": { \"BufferBytes\": 1e12 },"), "Gateway:Services:web:Retries:BufferBytes: Invalid value: 1e12: must be between 0 and 16777216, inclusive" },
        { Web("\"Retries\": { \"Attempt\": 3 },"), "Gateway:Services:web:Retries:Attempt: Invalid value: \"Attempt\": unknown field; did you mean \"Attempts\"?" },
        { Web("\"Retries\": 3,"), "Gateway:Services:web:Retries: Invalid value: \"3\": must be an object with the fields Attempts, BudgetPercent, MinConcurrent, BufferBytes" },
        { Web("\"Replicas\": 99999999999,"), "Gateway:Services:web:Replicas: Invalid value: 99999999999: must be between 0 and 2147483647, inclusive" },
        { Web("\"Replicas\": -1,"), "Gateway:Services:web:Replicas: Invalid value: -1: must be greater than or equal to 0" },
        { Web("\"Replicas\": \"two\","), "Gateway:Services:web:Replicas: Invalid value: \"two\": must be an integer" },
        { Web("\"Replicas\": [ 2 ],"), "Gateway:Services:web:Replicas: Invalid value: must be a single value, not an object or a list" },
        { Web("\"Runtime\": \"7\","), "Gateway:Services:web:Runtime: Unsupported value: \"7\": supported values: \"Process\", \"Docker\", \"Kubernetes\", \"Static\"" },
        { Web("\"Protocol\": \"http2\","), "Gateway:Services:web:Protocol: Unsupported value: \"http2\": supported values: \"http\", \"h2c\", \"grpc\", \"https\"" },
        { Web("\"Rplicas\": 2,"), "Gateway:Services:web:Rplicas: Invalid value: \"Rplicas\": unknown field; did you mean \"Replicas\"?" },
        { Web("\"Colour\": \"blue\","), "Gateway:Services:web:Colour: Invalid value: \"Colour\": unknown field; supported fields: Route, Runtime, Protocol, Timeouts, Outlier, Retries, SlowStartSeconds, DependsOn, BackendTls, Replicas, Template, Manifest, ConfigFiles, Strategy, Job, Namespace, Service, Port, ReadinessProbe, Addresses" },
        { $$"""{ "Gateway": { "Services": [ { "Template": {{Template}} } ] } }""", "Gateway:Services: Invalid value: must be an object of services by name, e.g. { \"web\": { ... } }, not a list" },
        { """{ "Gateway": { "Services": { "web": "x" } } }""", "Gateway:Services:web: Invalid value: \"x\": must be an object: a service's Route, Runtime, Replicas and Template or Manifest" },

        // Rolling update, in the deployment controller's words.
        { Web("\"Strategy\": { \"MaxSurge\": 0, \"MaxUnavailable\": 0 },"), "Gateway:Services:web:Strategy:MaxUnavailable: Invalid value: \"0\": may not be 0 when MaxSurge is 0" },
        { Web("\"Strategy\": { \"MaxSurge\": \"0%\", \"MaxUnavailable\": \"0%\" },"), "Gateway:Services:web:Strategy:MaxUnavailable: Invalid value: \"0%\": may not be 0 when MaxSurge is 0" },
        { Web("\"Strategy\": { \"MaxUnavailable\": \"150%\" },"), "Gateway:Services:web:Strategy:MaxUnavailable: Invalid value: \"150%\": must not be greater than 100%" },
        { Web("\"Strategy\": { \"MaxSurge\": -1 },"), "Gateway:Services:web:Strategy:MaxSurge: Invalid value: \"-1\": must be a non-negative integer or a percentage, e.g. \"25%\"" },
        { Web("\"Strategy\": { \"MaxSurge\": 99999999999 },"), "Gateway:Services:web:Strategy:MaxSurge: Invalid value: \"99999999999\": must be a non-negative integer or a percentage, e.g. \"25%\"" },
        { Web("\"Strategy\": { \"maxsurge\": 1, \"Surge\": 1 },"), "Gateway:Services:web:Strategy:Surge: Invalid value: \"Surge\": unknown field; supported fields: MaxSurge, MaxUnavailable" },

        // Routes: compiled as YARP compiles them; conflicts are errors, naming both services.
        { Web("\"Route\": { \"Path\": \"/{**a}/{**b}\" },"), "Gateway:Services:web:Route:Path: Invalid value: \"/{**a}/{**b}\": not a valid route pattern: A catch-all parameter can only appear as the last segment of the route template." },
        { Web("\"Route\": { \"Path\": \"/{id\" },"), "Gateway:Services:web:Route:Path: Invalid value: \"/{id\": not a valid route pattern: There is an incomplete parameter in the route template. Check that each '{' character has a matching '}' character." },
        { Web("\"Route\": { \"Path\": \"api\" },"), "Gateway:Services:web:Route:Path: Invalid value: \"api\": must start with '/', e.g. \"/api/{**rest}\"" },
        { Web("\"Route\": { \"Hosts\": [ \"bad host\" ] },"), "Gateway:Services:web:Route:Hosts:0: Invalid value: \"bad host\": must be a host name (e.g. 'example.com'), a wildcard ('*.example.com' or '*'), or an IP address, optionally followed by ':port'" },
        { Web("\"Route\": { \"Hosts\": [ \"example.com:99999\" ] },"), "Gateway:Services:web:Route:Hosts:0: Invalid value: \"example.com:99999\": the port after ':' must be between 1 and 65535, inclusive, or '*'" },
        { Web("\"Route\": { \"Hosts\": { \"a\": \"example.com\" } },"), "Gateway:Services:web:Route:Hosts: Invalid value: must be a list of strings, found the key \"a\"" },
        { Web("\"Route\": { \"Pth\": \"/\" },"), "Gateway:Services:web:Route:Pth: Invalid value: \"Pth\": unknown field; did you mean \"Path\"?" },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Template": {{Template}} }, "api": { "Template": {{Template}} } } } }""",
            "Gateway:Services:web:Route: Duplicate value: \"/{**catch-all}\": service \"api\" routes the same path (\"/{**catch-all}\") on every host; give one of them another Route:Path or different Route:Hosts"
        },
        {
            // The conflict is found even while the service has another error: one round of fixes.
            $$"""{ "Gateway": { "Services": { "web": { "SlowStartSeconds": 1e20, "Template": {{Template}} }, "api": { "Template": {{Template}} } } } }""",
            "Gateway:Services:web:SlowStartSeconds: Invalid value: 1e20: must be between 0 and 3600, inclusive\n"
            + "Gateway:Services:web:Route: Duplicate value: \"/{**catch-all}\": service \"api\" routes the same path (\"/{**catch-all}\") on every host; give one of them another Route:Path or different Route:Hosts"
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Route": { "Path": "/{**b}", "Hosts": [ "a.test", "b.test" ] }, "Template": {{Template}} }, "api": { "Route": { "Path": "/{**A}", "Hosts": [ "B.test" ] }, "Template": {{Template}} } } } }""",
            "Gateway:Services:web:Route: Duplicate value: \"/{**b}\": service \"api\" routes the same path (\"/{**A}\") on b.test; give one of them another Route:Path or different Route:Hosts"
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Route": { "Hosts": [ "a.test" ] }, "Template": {{Template}} }, "api": { "Route": { "Path": "/{**rest}" }, "Template": {{Template}} } } } }""",
            "Gateway:Services:web:Route: Duplicate value: \"/{**catch-all}\": service \"api\" routes the same path (\"/{**rest}\") on every host; give one of them another Route:Path or different Route:Hosts"
        },

        // DependsOn and Job: each entry by its path; what the whole set of services cannot do, by the services it names.
        { WebAndDb("\"DependsOn\": { \"db\": \"Healthy\" },", ""), "Gateway:Services:web:DependsOn:db: Unsupported value: \"Healthy\": supported values: \"Started\", \"Ready\", \"Succeeded\"" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Propagate\": \"Kill\" } },", ""), "Gateway:Services:web:DependsOn:db:Propagate: Unsupported value: \"Kill\": supported values: \"None\", \"Readiness\", \"Restart\"" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Condition\": \"Started\", \"Replicas\": \"All\" } },", ""), "Gateway:Services:web:DependsOn:db:Replicas: Invalid value: \"All\": only with Condition \"Ready\": every replica Ready; Started has no count" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Replicas\": 2 } },", ""), "Gateway:Services:web:DependsOn:db:Replicas: Unsupported value: \"2\": supported values: \"All\"" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Replicas\": \"All\" } },", ""), "Gateway:Services:web:DependsOn:db:Condition: Required value: one of \"Started\", \"Ready\", \"Succeeded\"" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Condition\": \"Ready\", \"Wait\": 1 } },", ""), "Gateway:Services:web:DependsOn:db:Wait: Invalid value: \"Wait\": unknown field; supported fields: Condition, Replicas, Propagate" },
        { WebAndDb("\"DependsOn\": [ \"db\" ],", ""), "Gateway:Services:web:DependsOn: Invalid value: must be an object of services by name with a condition each, e.g. { \"db\": \"Ready\" }, not a list" },
        { WebAndDb("\"DependsOn\": { \"cache\": \"Ready\" },", ""), "Gateway:Services:web:DependsOn:cache: Not found: \"cache\": no service is named \"cache\"; services: db, web" },
        { WebAndDb("\"DependsOn\": { \"web\": \"Ready\" },", ""), "Gateway:Services:web:DependsOn:web: Invalid value: \"web\": a service cannot depend on itself (cycle: web -> web)" },
        { WebAndDb("\"DependsOn\": { \"db\": \"Ready\" },", "\"DependsOn\": { \"web\": \"Started\" },"), "Gateway:Services:db:DependsOn:web: Invalid value: \"web\": dependency cycle: db -> web -> db; no service of it could ever start: remove one of these DependsOn entries" },
        { WebAndDb("\"DependsOn\": { \"db\": \"Succeeded\" },", ""), "Gateway:Services:web:DependsOn:db: Invalid value: \"Succeeded\": service \"db\" is not a Job and never completes: give it a Job key, or wait for it with \"Ready\"" },
        { WebAndDb("\"DependsOn\": { \"db\": { \"Condition\": \"Succeeded\", \"Propagate\": \"Restart\" } },", ""), "Gateway:Services:web:DependsOn:db:Propagate: Invalid value: \"Restart\": a Job that has Succeeded stays so: only \"None\" with Condition \"Succeeded\"" },
        {
            $$"""{ "Gateway": { "Services": { "web": { "DependsOn": { "db": "Started" }, "Template": {{Template}} }, "db": { "Route": { "Path": "/db" }, "Runtime": "Static", "Addresses": [ "http://127.0.0.1:1" ] } } } }""",
            "Gateway:Services:web:DependsOn:db: Invalid value: \"Started\": the gateway starts nothing of service \"db\" (Runtime Static): wait for it with \"Ready\""
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "DependsOn": { "db": "Succeeded" }, "Template": {{Template}} }, "db": { "Route": { "Path": "/db" }, "Runtime": "Kubernetes", "Service": "db" } } } }""",
            "Gateway:Services:web:DependsOn:db: Invalid value: \"Succeeded\": service \"db\" is not a Job the gateway runs (Runtime Kubernetes): wait for it with \"Ready\""
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "DependsOn": { "migrate": "Ready" }, "Template": {{Template}} }, "migrate": { "Job": {}, "Template": {{JobTemplate}} } } } }""",
            "Gateway:Services:web:DependsOn:migrate: Invalid value: \"Ready\": service \"migrate\" is a Job, whose pod runs to completion and is not routed: wait for it with \"Succeeded\" (or \"Started\")"
        },
        { Web("\"Job\": {},"), "Gateway:Services:web:Template.spec.restartPolicy: Required value: a Job's pod must end: set restartPolicy to \"OnFailure\" or \"Never\"" },
        { WebContainer("", "\"restartPolicy\": \"Always\",").Replace("\"web\": {", "\"web\": { \"Job\": {},", StringComparison.Ordinal), "Gateway:Services:web:Template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"; a Job's pod with Always would never complete" },
        { $$"""{ "Gateway": { "Services": { "m": { "Job": { "BackoffLimit": -1 }, "Template": {{JobTemplate}} } } } }""", "Gateway:Services:m:Job:BackoffLimit: Invalid value: -1: must be between 0 and 1000, inclusive" },
        { $$"""{ "Gateway": { "Services": { "m": { "Job": { "Backoff": 1 }, "Template": {{JobTemplate}} } } } }""", "Gateway:Services:m:Job:Backoff: Invalid value: \"Backoff\": unknown field; supported fields: BackoffLimit" },
        { $$"""{ "Gateway": { "Services": { "m": { "Job": {}, "Replicas": 2, "Template": {{JobTemplate}} } } } }""", "Gateway:Services:m:Replicas: Invalid value: \"2\": a Job runs one pod to completion (completions 1): remove Replicas" },
        { """{ "Gateway": { "Services": { "m": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:1" ], "Job": {} } } } }""", "Gateway:Services:m:Job: Forbidden: a Job is pods the gateway runs to completion: only with Runtime \"Process\" or \"Docker\"; remove Job" },

        // Unknown keys anywhere under Gateway:, with the nearest valid key.
        { Gateway("\"Proxy\": { \"Url\": \"http://127.0.0.1:1\" }"), "Gateway:Proxy:Url: Invalid value: \"Url\": unknown field; did you mean \"Urls\"?" },
        { Gateway("\"Admin\": { \"TokenFle\": \"t\" }"), "Gateway:Admin:TokenFle: Invalid value: \"TokenFle\": unknown field; did you mean \"TokenFile\"?" },
        { Gateway("\"Docker\": { \"Endpiont\": \"unix:///d.sock\" }"), "Gateway:Docker:Endpiont: Invalid value: \"Endpiont\": unknown field; did you mean \"Endpoint\"?" },
        { Gateway("\"Process\": { \"InheritEnv\": true }"), "Gateway:Process:InheritEnv: Invalid value: \"InheritEnv\": unknown field; supported fields: InheritEnvironment, PrivateTmp" },
        { Gateway("\"Kubernetes\": { \"KubeConfig\": \"k\", \"Context\": \"c\" }"), "Gateway:Kubernetes:Context: Invalid value: \"Context\": unknown field; supported fields: Kubeconfig" },
        { Gateway("\"MaxPod\": 3"), "Gateway:MaxPod: Invalid value: \"MaxPod\": unknown field; did you mean \"MaxPods\"?" },
        { Gateway("\"Bogus\": 3"), "Gateway:Bogus: Invalid value: \"Bogus\": unknown field; supported fields: Proxy, Admin, Services, Kubernetes, Docker, MaxPods, StateDirectory, Process, AccessLog, TerminatedPodHistory, Logs, Routes, KeepPodsOnShutdown, PodNetwork" },
        { Gateway("\"PodNetwork\": \"Bridge\""), "Gateway:PodNetwork: Invalid value: \"Bridge\": must be one of \"Auto\", \"Pod\", \"Host\"" },
        { Gateway("\"TerminatedPodHistory\": -1"), "Gateway:TerminatedPodHistory: Invalid value: -1: must be between 0 and 100, inclusive" },
        { Gateway("\"Logs\": { \"ContainerLogMaxFiles\": 1 }"), "Gateway:Logs:ContainerLogMaxFiles: Invalid value: 1: must be between 2 and 100, inclusive" },
        { Gateway("\"Logs\": { \"ContainerLogMaxSize\": \"10MB\" }"), "Gateway:Logs:ContainerLogMaxSize: Invalid value: \"10MB\": must be a quantity of bytes, e.g. \"10Mi\" or \"500Ki\"" },
        { Gateway("\"Logs\": { \"ContainerLogMaxSize\": \"100\" }"), "Gateway:Logs:ContainerLogMaxSize: Invalid value: \"100\": must be at least 1Ki (and less than 4Ei)" },
        { Gateway("\"Logs\": { \"MaxSize\": \"1Mi\" }"), "Gateway:Logs:MaxSize: Invalid value: \"MaxSize\": unknown field; supported fields: ContainerLogMaxSize, ContainerLogMaxFiles" },
        { Gateway("\"Proxy\": \"http://127.0.0.1:1\""), "Gateway:Proxy: Invalid value: \"http://127.0.0.1:1\": must be an object with the fields Urls, Limits, Certificate, Certificates" },

        // Gateway-wide numbers and booleans.
        { Gateway("\"MaxPods\": 0"), "Gateway:MaxPods: Invalid value: 0: must be between 1 and 10000, inclusive" },
        { Gateway("\"MaxPods\": 2.5"), "Gateway:MaxPods: Invalid value: 2.5: must be an integer" },
        { Gateway("\"MaxPods\": 1e20"), "Gateway:MaxPods: Invalid value: 1e20: must be between 1 and 10000, inclusive" },
        { Gateway("\"Docker\": { \"KeepContainersOnShutdown\": \"yes\" }"), "Gateway:Docker:KeepContainersOnShutdown: Invalid value: \"yes\": must be true or false" },
        { Gateway("\"KeepPodsOnShutdown\": \"yes\""), "Gateway:KeepPodsOnShutdown: Invalid value: \"yes\": must be true or false" },
        { Gateway("\"Process\": { \"InheritEnvironment\": \"yes\" }"), "Gateway:Process:InheritEnvironment: Invalid value: \"yes\": must be true or false" },
        { Gateway("\"Process\": { \"PrivateTmp\": \"no\" }"), "Gateway:Process:PrivateTmp: Invalid value: \"no\": must be true or false" },
        { Gateway("\"StateDirectory\": \"a\\u0000b\""), "Gateway:StateDirectory: Invalid value: \"a\\x00b\": a path may not contain a NUL character" },

        // Listeners: parsed as Kestrel will bind them, before anything starts.
        { Gateway("\"Proxy\": { \"Urls\": \"http://127.0.0.1:99999\" }"), "Gateway:Proxy:Urls: Invalid value: \"http://127.0.0.1:99999\": the port must be between 0 and 65535, inclusive" },
        { Gateway("\"Proxy\": { \"Urls\": \"http://127.0.0.1:http\" }"), "Gateway:Proxy:Urls: Invalid value: \"http://127.0.0.1:http\": the port must be between 0 and 65535, inclusive" },
        { Gateway("\"Proxy\": { \"Urls\": \"https://127.0.0.1:8443\" }"), "Gateway:Proxy:Urls: Invalid value: \"https://127.0.0.1:8443\": an https:// proxy URL needs a certificate: set Gateway:Proxy:Certificate (Path and KeyPath for PEM, or Path and Password for a PFX)" },
        { Gateway("\"Admin\": { \"Urls\": \"ftp://127.0.0.1:9443\" }"), "Gateway:Admin:Urls: Invalid value: \"ftp://127.0.0.1:9443\": must be an absolute http:// or https:// URL, e.g. \"http://127.0.0.1:8080\"" },
        { Gateway("\"Proxy\": { \"Urls\": \"http://127.0.0.1:8080/api\" }"), "Gateway:Proxy:Urls: Invalid value: \"http://127.0.0.1:8080/api\": a listener URL has no path: give only scheme, address and port, e.g. \"http://127.0.0.1:8080\"" },
        { Gateway("\"Proxy\": { \"Urls\": \"127.0.0.1:8080\" }"), "Gateway:Proxy:Urls: Invalid value: \"127.0.0.1:8080\": must be an absolute http:// URL, e.g. \"http://127.0.0.1:8080\"" },
        { Gateway("\"Proxy\": { \"Urls\": \"http://example.com:8080\" }"), "Gateway:Proxy:Urls: Invalid value: \"http://example.com:8080\": the host must be an IP address, localhost, or * or + for every address, e.g. \"http://127.0.0.1:8080\"" },
        { Gateway("\"Proxy\": { \"Urls\": \"http://127.0.0.1:8080;http://localhost:8080\" }"), "Gateway:Proxy:Urls: Invalid value: \"http://localhost:8080\": the same port as \"http://127.0.0.1:8080\"; give each URL its own port" },
        { Gateway("\"Admin\": { \"Urls\": \"http://localhost:0\" }"), "Gateway:Admin:Urls: Invalid value: \"http://localhost:0\": Kestrel cannot pick a free port (0) for localhost, which is two addresses; use 127.0.0.1:0" },
        { Gateway("\"Proxy\": { \"Urls\": \" ; \" }"), "Gateway:Proxy:Urls: Required value: at least one URL to listen on, e.g. \"http://127.0.0.1:8080\"" },
        { Gateway("\"Admin\": { \"Urls\": \"http://127.0.0.1:8080\" }"), "Gateway:Admin:Urls: Invalid value: \"http://127.0.0.1:8080\": the same port as Gateway:Proxy:Urls (\"http://127.0.0.1:8080\"); give the admin API a port of its own" },
        { Gateway("\"Proxy\": { \"Urls\": \"http://*:7000\" }, \"Admin\": { \"Urls\": \"http://[::1]:7000\" }"), "Gateway:Admin:Urls: Invalid value: \"http://[::1]:7000\": the same port as Gateway:Proxy:Urls (\"http://*:7000\"); give the admin API a port of its own" },
        { Gateway("\"Proxy\": { \"Urls\": [ \"http://127.0.0.1:1\" ] }"), "Gateway:Proxy:Urls: Invalid value: must be a single value, not an object or a list" },
        { Gateway("\"Docker\": { \"Endpoint\": \"not a url\" }"), "Gateway:Docker:Endpoint: Invalid value: \"not a url\": must be an absolute URL, e.g. \"unix:///var/run/docker.sock\" or \"tcp://127.0.0.1:2375\"" },
        { Gateway("\"Docker\": { \"Endpoint\": \"tcp://127.0.0.1\" }"), "Gateway:Docker:Endpoint: Invalid value: \"tcp://127.0.0.1\": a tcp:// endpoint names a host and a port, e.g. \"unix:///var/run/docker.sock\" or \"tcp://127.0.0.1:2375\"" },
        { Gateway("\"Docker\": { \"Endpoint\": \"ssh://host\" }"), "Gateway:Docker:Endpoint: Invalid value: \"ssh://host\": the scheme must be unix, tcp or http, e.g. \"unix:///var/run/docker.sock\" or \"tcp://127.0.0.1:2375\"" },
        { Gateway("\"Admin\": { \"Hosts\": [ \"*\" ] }"), "Gateway:Admin:Hosts:0: Invalid value: \"*\": a wildcard would let any web page reach the admin API (DNS rebinding); name each host" },
        { Gateway("\"Admin\": { \"Hosts\": [ \"gateway.internal\", \"bad_host\" ] }"), "Gateway:Admin:Hosts:1: Invalid value: \"bad_host\": must be a host name (e.g. 'example.com'), a wildcard ('*.example.com' or '*'), or an IP address, optionally followed by ':port'" },

        // A name is a whole RFC 1123 label: a trailing newline does not pass as its end.
        { $$"""{ "Gateway": { "Services": { "web\n": { "Template": {{Template}} } } } }""", "Gateway:Services:web\n: Invalid value: \"web\\n\": a service name must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters), because pod names are made from it" },
        { """{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Namespace": "web\n", "Service": "shop" } } } }""", "Gateway:Services:shop:Namespace: Invalid value: \"web\\n\": a namespace must be a lowercase RFC 1123 label" },
        { """{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Service": "web\n" } } } }""", "Gateway:Services:shop:Service: Invalid value: \"web\\n\": a Service name must be a lowercase RFC 1123 label" },

        // Kubernetes services.
        { """{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Service": "shop", "Port": "99999999999" } } } }""", "Gateway:Services:shop:Port: Invalid value: 99999999999: must be between 1 and 65535, inclusive" },
        { """{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Service": "shop", "Port": "web_port" } } } }""", "Gateway:Services:shop:Port: Invalid value: \"web_port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)" },
        { """{ "Gateway": { "Services": { "shop": { "Runtime": "Kubernetes", "Service": "shop", "ReadinessProbe": { "tcpSocket": { "port": 80 }, "periodSeconds": 99999999999 } } } } }""", "Gateway:Services:shop:ReadinessProbe.periodSeconds: Invalid value: 99999999999: must be between -2147483648 and 2147483647, inclusive" },

        // Template fields, through the Kubernetes model's own types.
        { WebContainer("\"livenessProbe\": { \"tcpSocket\": { \"port\": 80 }, \"periodSeconds\": 99999999999 }"), "Gateway:Services:web:Template.spec.containers[0].livenessProbe.periodSeconds: Invalid value: 99999999999: must be between -2147483648 and 2147483647, inclusive" },
        { WebContainer("\"livenessProbe\": { \"tcpSocket\": { \"port\": 80 }, \"periodSeconds\": 3000000 }"), "Gateway:Services:web:Template.spec.containers[0].livenessProbe.periodSeconds: Invalid value: 3000000: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { WebContainer("\"livenessProbe\": { \"tcpSocket\": { \"port\": 80 }, \"timeoutSeconds\": 2.5 }"), "Gateway:Services:web:Template.spec.containers[0].livenessProbe.timeoutSeconds: Invalid value: 2.5: must be an integer" },
        { WebContainer("\"livenessProbe\": { \"tcpSocket\": { \"port\": 80 }, \"terminationGracePeriodSeconds\": 9223372036854775807 }"), "Gateway:Services:web:Template.spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 9223372036854775807: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { WebContainer("\"readinessProbe\": { \"tcpSocket\": { \"port\": 80 }, \"initialDelaySeconds\": 2592001 }"), "Gateway:Services:web:Template.spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: 2592001: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { WebContainer("\"lifecycle\": { \"preStop\": { \"sleep\": { \"seconds\": 99999999999 } } }"), "Gateway:Services:web:Template.spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: 99999999999: must be non-negative and less than terminationGracePeriodSeconds (30)" },
        { WebContainer("\"name\": \"b\"", "\"terminationGracePeriodSeconds\": 9223372036854775807,").Replace("\"name\": \"a\", ", "", StringComparison.Ordinal), "Gateway:Services:web:Template.spec.terminationGracePeriodSeconds: Invalid value: 9223372036854775807: must be less than or equal to 2592000 (30 days), the longest the gateway times" },
        { WebContainer("\"name\": \"b\"", "\"terminationGracePeriodSeconds\": 9223372036854775808,").Replace("\"name\": \"a\", ", "", StringComparison.Ordinal), "Gateway:Services:web:Template.spec.terminationGracePeriodSeconds: Invalid value: 9223372036854775808: must be between -9223372036854775808 and 9223372036854775807, inclusive" },
        { WebContainer("\"name\": \"b\"", "\"activeDeadlineSeconds\": 1e30,").Replace("\"name\": \"a\", ", "", StringComparison.Ordinal), "Gateway:Services:web:Template.spec.activeDeadlineSeconds: Invalid value: 1e30: must be between -9223372036854775808 and 9223372036854775807, inclusive" },
        { WebContainer("\"resources\": { \"limits\": { \"memory\": \"lots\" } }"), "Gateway:Services:web:Template.spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
        { WebContainer("\"resources\": { \"requests\": { \"cpu\": \".\" } }"), "Gateway:Services:web:Template.spec.containers[0].resources.requests[cpu]: Invalid value: \".\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
        { WebContainer("\"resources\": { \"limits\": { \"cpu\": \"-1\" } }"), "Gateway:Services:web:Template.spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or equal to 0" },
        { WebContainer("\"resources\": { \"limits\": { \"cpu\": \"1e100\" } }"), "Gateway:Services:web:Template.spec.containers[0].resources.limits[cpu]: Invalid value: \"10e99\": must be no more than 1000000 CPUs" },
        { WebContainer("\"resources\": { \"limits\": { \"memory\": \"1e30\" } }"), "Gateway:Services:web:Template.spec.containers[0].resources.limits[memory]: Invalid value: \"1e30\": must be no more than 8Ei (bytes)" },
        { WebContainer("\"args\": [ \"a\\u0000b\" ]"), "Gateway:Services:web:Template.spec.containers[0].args[0]: Invalid value: \"a\\x00b\": must not contain a NUL character" },
        { WebContainer("\"ports\": [ null ]"), "Gateway:Services:web:Template.spec.containers[0].ports[0]: Required value" },
        { WebContainer("\"stdin\": \"yes\""), "Gateway:Services:web:Template.spec.containers[0].stdin: Invalid value: \"yes\": must be true or false" },
        { WebContainer("\"ports\": { \"name\": \"http\" }"), "Gateway:Services:web:Template.spec.containers[0].ports: Invalid value: must be a list, found the key \"name\"" },
        { WebContainer("\"ports\": [ { \"containerPort\": 99999999999 } ]"), "Gateway:Services:web:Template.spec.containers[0].ports[0].containerPort: Invalid value: 99999999999: must be between -2147483648 and 2147483647, inclusive" },
        { WebContainer("\"ports\": [ { \"containerPort\": 70000 } ]"), "Gateway:Services:web:Template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { WebContainer("\"livenesProbe\": { }"), "Gateway:Services:web:Template.spec.containers[0].livenesProbe: Invalid value: \"livenesProbe\": unknown field; did you mean \"livenessProbe\"?" },
        { WebContainer("\"command\": { \"a\": \"x\" }"), "Gateway:Services:web:Template.spec.containers[0].command: Invalid value: must be a list, found the key \"a\"" },
        { WebContainer("\"image\": [ \"busybox\" ]"), "Gateway:Services:web:Template.spec.containers[0].image: Invalid value: must be a single value, not an object or a list" },
        { """{ "Gateway": { "Services": { "web": { "Template": { "spec": [ 1 ] } } } } }""", "Gateway:Services:web:Template.spec: Invalid value: must be an object, not a list" },
        { """{ "Gateway": { "Services": { "web": { "Template": "pod.yaml" } } } }""", "Gateway:Services:web:Template: Invalid value: \"pod.yaml\": must be an object" },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Template": { "metadata": { "creationTimestamp": "soon" }, "spec": { "containers": [ {{Container}} ] } } } } } }""",
            "Gateway:Services:web:Template.metadata.creationTimestamp: Invalid value: \"soon\": must be a timestamp, e.g. \"2024-05-01T12:00:00Z\""
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Template": { "metadata": { "labels": { "tier": "front end" } }, "spec": { "containers": [ {{Container}} ] } } } } } }""",
            "Gateway:Services:web:Template.metadata.labels: Invalid value: \"front end\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        },
        {
            $$"""{ "Gateway": { "Services": { "web": { "Template": { "metadata": { "labels": { "-tier": "front" } }, "spec": { "containers": [ {{Container}} ] } } } } } }""",
            "Gateway:Services:web:Template.metadata.labels: Invalid value: \"-tier\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Load_BadSettings_ReportsExactlyTheFieldError(string settings, string expected)
    {
        var spec = _files.Load(settings, out var errors);

        // Compared as text, so that a failure shows where the words differ.
        Assert.Equal(expected, string.Join('\n', errors));
        Assert.NotNull(spec);
    }

    private const string ManifestSettings = """{ "Gateway": { "Services": { "web": { "Manifest": "m.yaml" } } } }""";

    private const string PodHead = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    command: [x]\n";

    public static TheoryData<string, string> BadManifests => new()
    {
        { PodHead + "    args: [\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 10, column 1: While parsing a node, did not find expected node content." },
        { PodHead + "    ports:\n    - containerPort: [8080\n    readinessProbe:\n      tcpSocket: {port: 8080}\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 11, column 5: the YAML is not well-formed here (an unclosed '[' or '{' above?)" },
        { PodHead + "    livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 99999999999}\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 59: Invalid value: 99999999999: out of range for the field's integer type" },
        { PodHead + "    resources: {limits: {memory: lots}}\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 34: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
        { PodHead + "    ports: [{containerPort: http}]\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 29: Invalid value: \"http\": must be an integer" },
        { PodHead + "    bogus: 1\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 5: \"bogus\": unknown field; check its spelling against the Kubernetes API reference" },
        { PodHead + "    imagePullPolicyy: Always\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 5: \"imagePullPolicyy\": unknown field; did you mean \"imagePullPolicy\"?" },
        { PodHead + "    env: {A: b}\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9, column 10: wrong type for this field: expected a list, found an object" },
        { "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 4, column 7: wrong type for this field: expected a V1PodSpec" },
        { PodHead + "---\n" + PodHead, "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": holds 2 Pods or Deployments (lines 1, 9); a service runs one: give each its own service" },
        { "", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": the file is empty; it must hold one Pod or Deployment" },
        { PodHead + "    args: " + new string('[', 100_000) + "\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 9: lists and objects nest deeper than 64 levels; a pod manifest needs far fewer" },
        { "# nothing here\n---\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": the file is empty; it must hold one Pod or Deployment" },
        { "apiVersion: v1\nmetadata: {name: p}\n", "Gateway:Services:web:Manifest(m.yaml).kind: Required value: a manifest holds a Pod, a Deployment or a Job; set kind: Pod or kind: Deployment" },
        { "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 99999999999\n", "Gateway:Services:web:Manifest: Invalid value: \"{dir}/m.yaml\": line 4, column 13: Invalid value: 99999999999: out of range for the field's integer type" },
        {
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers: [{name: a, command: [x]}]\n",
            "Gateway:Services:web:Manifest(m.yaml).spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: My_Pod}\nspec: {containers: [{name: a, command: [x]}]}\n",
            "Gateway:Services:web:Manifest(m.yaml).metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ../../../../tmp/x/evil}\nspec: {containers: [{name: a, command: [x]}]}\n",
            "Gateway:Services:web:Manifest(m.yaml).metadata.name: Invalid value: \"../../../../tmp/x/evil\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        },
        {
            $"apiVersion: v1\nkind: Pod\nmetadata: {{name: {new string('a', 254)}}}\nspec: {{containers: [{{name: a, command: [x]}}]}}\n",
            "Gateway:Services:web:Manifest(m.yaml).metadata.name: Invalid value: \"" + new string('a', 254) + "\": must be no more than 253 characters"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: \"a b\"}}\nspec: {containers: [{name: a, command: [x]}]}\n",
            "Gateway:Services:web:Manifest(m.yaml).metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: My_Container, command: [x]}]}\n",
            "Gateway:Services:web:Manifest(m.yaml).spec.containers[0].name: Invalid value: \"My_Container\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void Load_BadManifest_ReportsExactlyTheError(string manifest, string expected)
    {
        _files.Write("m.yaml", manifest);

        _files.Load(ManifestSettings, out var errors);

        Assert.Equal(expected.Replace("{dir}", _files.Directory, StringComparison.Ordinal), string.Join('\n', errors));
    }

    [Fact]
    public void Load_Logs_TheKubeletsDefaults_OrTheQuantitiesGiven()
    {
        var defaults = _files.Load(Gateway("\"MaxPods\": 3"), out var none);
        var given = _files.Load(Gateway("\"Logs\": { \"ContainerLogMaxSize\": \"1.5Ki\", \"ContainerLogMaxFiles\": 2 }"), out var errors);

        Assert.Empty(none);
        Assert.Empty(errors);
        Assert.Equal(new ContainerLogSettings(10 * 1024 * 1024, 5), defaults!.Logs);
        Assert.Equal(new ContainerLogSettings(1536, 2), given!.Logs);
    }

    [Fact]
    public void Load_BracketsInStringsAndComments_DoNotCountAsNesting()
    {
        var brackets = new string('[', 100);
        _files.Write("m.yaml", PodHead + $"    args: [\"{brackets}\", '{{{brackets}', \"\\\"{brackets}\"] # {brackets}\n");

        var spec = _files.Load(ManifestSettings, out var errors);

        Assert.Empty(errors);
        Assert.Equal(3, spec.Services[0].Pods!.PodSpec.Containers[0].Args.Count);
    }

    [Fact]
    public void Load_ManifestLargerThanTheBound_IsRefusedUnread()
    {
        _files.Write("m.yaml", PodHead + "# " + new string('x', ManifestFile.MaxBytes) + "\n");

        _files.Load(ManifestSettings, out var errors);

        Assert.Equal([$"Gateway:Services:web:Manifest: Invalid value: \"{_files.Directory}/m.yaml\": is larger than 1 MiB, the most the gateway reads; a manifest holds one Pod or Deployment"], errors);
    }

    [Theory]
    [InlineData("/dev/zero", "is not a regular file (a character device); name a YAML file")]
    [InlineData("/tmp", "is a folder, not a file; name the YAML file")]
    public void Load_ManifestNotARegularFile_IsRefusedUnread(string target, string detail)
    {
        File.CreateSymbolicLink(Path.Combine(_files.Directory, "m.yaml"), target);

        _files.Load(ManifestSettings, out var errors);

        Assert.Equal([$"Gateway:Services:web:Manifest: Invalid value: \"{_files.Directory}/m.yaml\": {detail}"], errors);
    }

    [Fact]
    public void Load_ManifestIsAFifo_IsRefusedWithoutBlocking()
    {
        var fifo = Path.Combine(_files.Directory, "m.yaml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        _files.Load(ManifestSettings, out var errors);

        Assert.Equal([$"Gateway:Services:web:Manifest: Invalid value: \"{fifo}\": is not a regular file (a fifo); name a YAML file"], errors);
    }

    [Fact]
    public void Load_ManifestThroughASymlink_IsRead()
    {
        _files.Write("real.yaml", PodHead);
        File.CreateSymbolicLink(Path.Combine(_files.Directory, "m.yaml"), Path.Combine(_files.Directory, "real.yaml"));

        var spec = _files.Load(ManifestSettings, out var errors);

        Assert.Empty(errors);
        Assert.Equal("p", spec.Services[0].Pods!.PodName);
    }

    [Theory]
    [InlineData("config/appsettings.json")]
    [InlineData("config/examples/docker-seed.json")]
    public void Load_ShippedSettings_AreValid(string file)
    {
        var path = Path.Combine(SettingsFixture.RepoRoot(), file);
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();

        GatewaySpecLoader.Load(configuration, Path.GetDirectoryName(path)!, out var errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Load_SamePathOnDifferentHosts_IsNoConflict()
    {
        var spec = _files.Load($$"""
            { "Gateway": { "Services": {
              "web": { "Route": { "Path": "/{**rest}", "Hosts": [ "*.example.com", "example.com:8080" ] }, "Template": {{Template}} },
              "api": { "Route": { "Path": "/{**rest}", "Hosts": [ "api.example.com" ] }, "Template": {{Template}} },
              "docs": { "Route": { "Path": "/docs/{**rest}" }, "Template": {{Template}} }
            } } }
            """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(3, spec.Services.Count);
    }

    [Fact]
    public void Load_ValidListenersAndSettings_AreAccepted()
    {
        var spec = _files.Load(Gateway("""
            "Proxy": { "Urls": "http://127.0.0.1:8080;http://[::1]:8080" },
            "Admin": { "Urls": " http://127.0.0.1:0 ; ", "Hosts": [ "gateway.internal" ], "TokenFile": "token" },
            "Docker": { "Endpoint": "unix:///var/run/docker.sock", "KeepContainersOnShutdown": "True" },
            "Process": { "InheritEnvironment": "false" },
            "MaxPods": 1e3
            """), out var errors);

        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:0", spec.AdminUrls); // as Kestrel takes it: no spaces
        Assert.Equal(1000, spec.MaxPods);
        Assert.Equal(Path.Combine(_files.Directory, "token"), spec.AdminAccess.TokenFile);
        Assert.Equal(["gateway.internal"], spec.AdminAccess.Hosts);
        Assert.True(spec.KeepPodsOnShutdown); // Docker's KeepContainersOnShutdown, its deprecated alias
    }

    [Theory]
    [InlineData("\"MaxPods\": 5", false)]
    [InlineData("\"KeepPodsOnShutdown\": true", true)]
    [InlineData("\"KeepPodsOnShutdown\": false, \"Docker\": { \"KeepContainersOnShutdown\": true }", false)]
    [InlineData("\"Docker\": { \"KeepContainersOnShutdown\": true }", true)]
    public void Load_KeepPodsOnShutdown_OrItsDockerAlias_AndTheNewNameWins(string settings, bool keep)
    {
        var spec = _files.Load(Gateway(settings), out var errors);

        Assert.Empty(errors);
        Assert.Equal(keep, spec.KeepPodsOnShutdown);
    }

    [Fact]
    public void Load_SomethingUnforeseenThrows_IsOneErrorOnThatService()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(_files.Write("appsettings.json", $$"""{ "Gateway": { "Services": { "web": { "Template": {{Template}} } } } }"""))
            .Add(new ThrowingSource("Gateway:Services:boom"))
            .Build();

        var spec = GatewaySpecLoader.Load(configuration, _files.Directory, out var errors);

        Assert.Equal(["Gateway:Services:boom: Internal error: InvalidOperationException: the disk moved; please report"], errors);
        Assert.Equal("web", Assert.Single(spec.Services).Name);
    }

    // A provider that holds the service "boom" and fails on reading any of its fields.
    private sealed class ThrowingSource(string prefix) : IConfigurationSource, IConfigurationProvider
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public bool TryGet(string key, out string? value) =>
            key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase) ? throw new InvalidOperationException("the disk moved") : (value = null) is not null;

        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) =>
            string.Equals(parentPath, "Gateway:Services", StringComparison.OrdinalIgnoreCase) ? [.. earlierKeys, "boom"] : earlierKeys;

        public void Set(string key, string? value)
        {
        }

        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => new Microsoft.Extensions.Primitives.CancellationChangeToken(CancellationToken.None);

        public void Load()
        {
        }
    }
}
