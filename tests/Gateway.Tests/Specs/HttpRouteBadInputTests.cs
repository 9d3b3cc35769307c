using Gateway.Specs;

namespace Gateway.Tests.Specs;

/// <summary>
/// HTTPRoutes a user can get wrong, in a service's <c>Route</c> (settings), in <c>Route:HTTPRoute</c>
/// and <c>Gateway:Routes</c> files, and <c>BackendTls</c>: each row the exact errors, naming the field
/// by its path and the fix; a field this gateway does not implement refused by name.
/// </summary>
public sealed class HttpRouteBadInputTests : IDisposable
{
    private const string Template = """{ "spec": { "containers": [ { "name": "a", "command": [ "x" ] } ] } }""";

    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private static string Web(string fields) => $$"""{ "Gateway": { "Services": { "web": { {{fields}} "Template": {{Template}} } } } }""";

    private static string WithRoutes(string gateway = "\"Routes\": [ \"r.yaml\" ]") =>
        $$"""{ "Gateway": { {{gateway}}, "Services": { "web": { "Template": {{Template}} }, "canary": { "Template": {{Template}} } } } }""";

    public static TheoryData<string, string> BadSettings => new()
    {
        { Web("\"Route\": { \"Matches\": [ { \"Path\": { \"Type\": \"Prefix\", \"Value\": \"/a\" } } ] },"), "Gateway:Services:web:Route:Matches:0:Path:Type: Unsupported value: \"Prefix\": supported values: \"Exact\", \"PathPrefix\", \"RegularExpression\"" },
        { Web("\"Route\": { \"Matches\": [ { \"Path\": { \"Value\": \"a\" } } ] },"), "Gateway:Services:web:Route:Matches:0:Path:Value: Invalid value: \"a\": must be an absolute path starting with '/'" },
        { Web("\"Route\": { \"Matches\": [ { \"Path\": { \"Type\": \"RegularExpression\", \"Value\": \"/(\" } } ] },"), "Gateway:Services:web:Route:Matches:0:Path:Value: Invalid value: \"/(\": not a valid regular expression: Invalid pattern '/(' at offset 2. Not enough )'s." },
        { Web("\"Route\": { \"Matches\": [ { \"Headers\": [ { \"Name\": \"x a\", \"Value\": \"1\" } ] } ] },"), "Gateway:Services:web:Route:Matches:0:Headers:0:Name: Invalid value: \"x a\": must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)" },
        { Web("\"Route\": { \"Matches\": [ { \"QueryParams\": [ { \"Name\": \"q\" } ] } ] },"), "Gateway:Services:web:Route:Matches:0:QueryParams:0:Value: Required value: the value to match" },
        { Web("\"Route\": { \"Matches\": [ { \"Method\": \"FETCH\" } ] },"), "Gateway:Services:web:Route:Matches:0:Method: Unsupported value: \"FETCH\": supported values: \"GET\", \"HEAD\", \"POST\", \"PUT\", \"DELETE\", \"CONNECT\", \"OPTIONS\", \"TRACE\", \"PATCH\"" },
        { Web("\"Route\": { \"Matches\": [ { \"Colour\": \"x\" } ] },"), "Gateway:Services:web:Route:Matches:0:Colour: Invalid value: \"Colour\": unknown field; not supported by this gateway; supported fields: path, headers, queryParams, method" },
        { Web("\"Route\": { \"Path\": \"/a\", \"Matches\": [ { \"Method\": \"GET\" } ] },"), "Gateway:Services:web:Route:Path: Invalid value: \"/a\": Path is a YARP route pattern, Matches are HTTPRoute matches: give the path as Matches[].Path { Type, Value } instead" },
        { Web("\"Route\": { \"Filters\": [ { \"Type\": \"CORS\" } ] },"), "Gateway:Services:web:Route:Filters:0:Type: Unsupported value: \"CORS\": supported values: \"RequestHeaderModifier\", \"ResponseHeaderModifier\", \"RequestRedirect\", \"URLRewrite\", \"RequestMirror\"" },
        { Web("\"Route\": { \"Filters\": [ { \"Type\": \"RequestRedirect\", \"RequestRedirect\": { \"StatusCode\": 307 } } ] },"), "Gateway:Services:web:Route:Filters:0:RequestRedirect:StatusCode: Unsupported value: 307: supported values: \"301\", \"302\"" },
        { Web("\"Route\": { \"Filters\": [ { \"Type\": \"URLRewrite\" } ] },"), "Gateway:Services:web:Route:Filters:0:UrlRewrite: Required value: the URLRewrite filter's settings" },
        {
            Web("\"Route\": { \"Matches\": [ { \"Path\": { \"Type\": \"Exact\", \"Value\": \"/a\" } } ], \"Filters\": [ { \"Type\": \"URLRewrite\", \"UrlRewrite\": { \"Path\": { \"Type\": \"ReplacePrefixMatch\", \"ReplacePrefixMatch\": \"/b\" } } } ] },"),
            "Gateway:Services:web:Route:Filters:0:UrlRewrite:Path:Type: Invalid value: \"ReplacePrefixMatch\": ReplacePrefixMatch needs every match of the rule to be a PathPrefix match"
        },
        { Web("\"Route\": { \"BackendRefs\": [ { \"Name\": \"nope\" } ] },"), "Gateway:Services:web:Route: Not found: \"nope\": rule 0 of HTTPRoute \"web\" sends to it, but a backendRef must name a service of Gateway:Services (web)" },
        { Web("\"Route\": { \"BackendRefs\": [ { \"Name\": \"web\", \"Weight\": -1 } ] },"), "Gateway:Services:web:Route:BackendRefs:0:Weight: Invalid value: -1: must be between 0 and 1000000, inclusive" },
        { Web("\"Route\": { \"BackendRefs\": [ { \"Name\": \"web\", \"Kind\": \"ServiceImport\" } ] },"), "Gateway:Services:web:Route:BackendRefs:0:Kind: Unsupported value: \"ServiceImport\": supported values: \"Service\"" },
        { Web("\"Route\": { \"HTTPRoute\": \"missing.yaml\" },"), "Gateway:Services:web:Route:HTTPRoute: Not found: \"{dir}/missing.yaml\": no such file; a relative path is relative to the settings file's folder" },
        { Web("\"Protocol\": \"https\", \"BackendTls\": { \"CaFile\": \"missing.pem\" },"), "Gateway:Services:web:BackendTls:CaFile: Invalid value: \"{dir}/missing.pem\": the file does not exist: name a PEM file of the CA certificates that signed the pods' certificates" },
        { Web("\"BackendTls\": { \"InsecureSkipVerify\": true },"), "Gateway:Services:web:BackendTls: Invalid value: \"\": BackendTls is for Protocol: https; set \"Protocol\": \"https\" or remove BackendTls" },
        { Web("\"Protocol\": \"https\", \"BackendTls\": { \"ServerName\": \"a b\" },"), "Gateway:Services:web:BackendTls:ServerName: Invalid value: \"a b\": must be a host name, e.g. \"web.internal\", the name the pods' certificate carries" },
        { Web("\"Protocol\": \"https\", \"BackendTls\": { \"Insecure\": true },"), "Gateway:Services:web:BackendTls:Insecure: Invalid value: \"Insecure\": unknown field; supported fields: CaFile, InsecureSkipVerify, ServerName" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Load_BadRouteSettings_ReportsExactlyTheFieldError(string settings, string expected)
    {
        _files.Load(settings, out var errors);

        Assert.Equal(expected.Replace("{dir}", _files.Directory, StringComparison.Ordinal), string.Join('\n', errors));
    }

    private const string Head = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n";

    public static TheoryData<string, string> BadFiles => new()
    {
        { Head + "spec:\n  rules:\n  - backendRefs: [{name: web}]\n    timeouts: {request: 1s}\n", "Gateway:Routes:0(r.yaml).spec.rules[0].timeouts: Invalid value: \"timeouts\": unknown field; not supported by this gateway; supported fields: name, matches, filters, backendRefs" },
        { Head + "spec:\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /}}]\n", "Gateway:Routes:0(r.yaml).spec.rules[0].backendRefs: Required value: the services the rule sends to, e.g. [{ name: web, weight: 90 }, { name: web-canary, weight: 10 }]" },
        { Head + "spec:\n  rules:\n  - backendRefs: [{name: web, namespace: prod}]\n", "Gateway:Routes:0(r.yaml).spec.rules[0].backendRefs[0].namespace: Invalid value: \"prod\": not supported: a backendRef names one of the gateway's services, which have no namespace; remove it" },
        { Head + "spec:\n  rules:\n  - backendRefs: [{name: web, filters: []}]\n", "Gateway:Routes:0(r.yaml).spec.rules[0].backendRefs[0].filters: Invalid value: \"filters\": unknown field; not supported by this gateway; supported fields: name, port, weight, kind, group, namespace" },
        { Head + "spec:\n  rules:\n  - backendRefs: [{name: web, kind: Service, group: \"\"}]\n  - backendRefs: [{name: nope}]\n", "Gateway:Routes: Not found: \"nope\": rule 1 of HTTPRoute \"r\" sends to it, but a backendRef must name a service of Gateway:Services (canary, web)" },
        { Head + "spec:\n  hostnames: [\"a.test:80\"]\n  rules:\n  - backendRefs: [{name: web}]\n", "Gateway:Routes:0(r.yaml).spec.hostnames[0]: Invalid value: \"a.test:80\": must be a host name, e.g. \"example.com\" or \"*.example.com\", without a port" },
        { "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: web}]}]}\n", "Gateway:Routes:0(r.yaml).apiVersion: Unsupported value: \"gateway.networking.k8s.io/v1alpha2\": supported values: \"gateway.networking.k8s.io/v1\", \"gateway.networking.k8s.io/v1beta1\"" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: web}]}]}\n", "Gateway:Routes:0(r.yaml).kind: Unsupported value: \"GRPCRoute\": supported values: \"HTTPRoute\"" },
        { "", "Gateway:Routes:0: Invalid value: \"{dir}/r.yaml\": the file is empty; it must hold an HTTPRoute (apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute)" },
        { Head + "spec:\n  rules:\n  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web}, percent: 10}}]\n    backendRefs: [{name: web}]\n", "Gateway:Routes:0(r.yaml).spec.rules[0].filters[0].requestMirror.percent: Invalid value: \"percent\": unknown field; not supported by this gateway; supported fields: backendRef" },
        { Head + "spec:\n  rules:\n  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x}]}, urlRewrite: {hostname: a}}]\n    backendRefs: [{name: web}]\n", "Gateway:Routes:0(r.yaml).spec.rules[0].filters[0].urlRewrite: Invalid value: \"\": a filter of type RequestHeaderModifier takes requestHeaderModifier, not urlRewrite" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Load_BadRouteFile_ReportsExactlyTheFieldError(string yaml, string expected)
    {
        _files.Write("r.yaml", yaml);

        _files.Load(WithRoutes(), out var errors);

        Assert.Equal(expected.Replace("{dir}", _files.Directory, StringComparison.Ordinal), string.Join('\n', errors));
    }

    [Fact]
    public void Load_RouteFileWithDefaults_IsAcceptedAndTheRoutedServicesLoseTheirCatchAll()
    {
        _files.Write("r.yaml", Head + """
            spec:
              parentRefs: [{name: gateway}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /}}]
                backendRefs: [{name: web, kind: Service, group: "", port: 80, weight: 90}, {name: canary, weight: 10}]
            """);

        var spec = _files.Load(WithRoutes(), out var errors);

        Assert.Empty(errors);
        var route = Assert.Single(spec.Routes);
        Assert.Equal([new BackendRef("web", 90), new BackendRef("canary", 10)], route.Rules[0].Backends);
        Assert.All(spec.Services, s => Assert.True(s.Route.IsNone));
    }

    [Fact]
    public void Load_ServiceRouteFile_RulesWithoutBackendRefsSendToTheService()
    {
        _files.Write("web.yaml", Head + "spec:\n  hostnames: [web.test]\n  rules:\n  - matches: [{path: {type: Exact, value: /a}}]\n");

        var spec = _files.Load(Web("\"Route\": { \"HTTPRoute\": \"web.yaml\" },"), out var errors);

        Assert.Empty(errors);
        var route = spec.Services[0].Route;
        Assert.Equal(["web.test"], route.Hosts);
        Assert.Equal([new BackendRef("web")], route.HttpRoute!.Rules[0].Backends);
        Assert.Equal(new PathMatch(PathMatchKind.Exact, "/a"), route.HttpRoute.Rules[0].Matches[0].Path);
        Assert.Contains(Path.Combine(_files.Directory, "web.yaml"), spec.Services[0].SourceFiles);
    }

    [Fact]
    public void Load_SettingsMatches_InHttpRoutesJsonShape()
    {
        var settings = $$"""
            { "Gateway": { "Services": {
              "web": { "Route": { "Hosts": [ "a.test" ], "Matches": [ { "path": { "type": "PathPrefix", "value": "/api/" }, "headers": [ { "name": "x-v", "value": "2", "type": "RegularExpression" } ], "method": "GET" } ],
                                  "Filters": [ { "Type": "ResponseHeaderModifier", "ResponseHeaderModifier": { "Set": [ { "Name": "x-a", "Value": "1" } ] } } ],
                                  "BackendRefs": [ { "Name": "web", "Weight": 3 }, { "Name": "canary", "Weight": 1 } ] }, "Template": {{Template}} },
              "canary": { "Template": {{Template}} } } } }
            """;

        var spec = _files.Load(settings, out var errors);

        Assert.Empty(errors);
        var web = spec.Services.Single(s => s.Name == "web");
        var rule = Assert.Single(web.Route.HttpRoute!.Rules);
        Assert.Equal(new PathMatch(PathMatchKind.PathPrefix, "/api"), rule.Matches[0].Path);
        Assert.Equal([new ValueMatch("x-v", "2", ValueMatchKind.RegularExpression)], rule.Matches[0].Headers);
        Assert.Equal("GET", rule.Matches[0].Method);
        Assert.Equal([new KeyValuePair<string, string>("x-a", "1")], rule.Filters.ResponseHeaders!.Set);
        Assert.Equal([new BackendRef("web", 3), new BackendRef("canary", 1)], rule.Backends);
        Assert.Equal(["a.test"], web.Route.HttpRoute.Hostnames);
        Assert.True(spec.Services.Single(s => s.Name == "canary").Route.IsNone);
    }
}
