using YamlDotNet.RepresentationModel;

namespace Gateway.Specs;

/// <summary>
/// HTTPRoutes from settings and files: a service's <c>Route</c> with <c>Matches</c>/<c>Filters</c>/
/// <c>BackendRefs</c> (one rule in HTTPRoute's JSON shape) or <c>HTTPRoute</c> (a YAML file), and
/// <c>Gateway:Routes</c> (files of routes of their own, whose backendRefs name the gateway's services).
/// </summary>
internal static class HttpRouteLoader
{
    /// <summary>The <c>apiVersion</c>s an HTTPRoute file may give.</summary>
    public static readonly string[] ApiVersions = ["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"];

    private static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "spec", "status"];
    private static readonly string[] MetadataFields = ["name", "namespace", "labels", "annotations"];
    private static readonly string[] SpecFields = ["parentRefs", "hostnames", "rules"];

    /// <summary>The <c>Route</c> keys of the settings form of a rule.</summary>
    public static readonly string[] RuleKeys = ["Matches", "Filters", "BackendRefs"];

    /// <summary>A service's rule from <c>Route:Matches</c>, <c>Route:Filters</c> and <c>Route:BackendRefs</c>, on its <c>Route:Hosts</c>.</summary>
    public static HttpRouteSpec? FromSettings(SettingsSection route, string service, IReadOnlyList<string> hosts)
    {
        var before = route.Errors.Count;
        var tree = RouteTree.FromSettings(route.Configuration, route.Path);
        var rule = new HttpRouteReader(route.Errors, service).RuleBody(tree);
        return route.Errors.Count == before && rule is not null ? new HttpRouteSpec(service, hosts, [rule]) : null;
    }

    /// <summary>A service's route from the HTTPRoute file <c>Route:HTTPRoute</c>; a rule without backendRefs sends to the service.</summary>
    public static HttpRouteSpec? FromServiceFile(SettingsSection route, string service, string configDirectory, List<string> sourceFiles)
    {
        if (route.FilePath("HTTPRoute", configDirectory) is not { } file)
        {
            route.Errors.Add(FieldError.Required(route.PathOf("HTTPRoute"), "the HTTPRoute file, e.g. \"routes/web.yaml\""));
            return null;
        }

        sourceFiles.Add(file);
        var routes = LoadFile(file, route.PathOf("HTTPRoute"), route.Scalar("HTTPRoute")!, service, route.Errors);
        if (routes is { Count: > 1 })
        {
            route.Errors.Add(FieldError.Invalid(route.PathOf("HTTPRoute"), file, $"holds {routes.Count} HTTPRoutes; a service's route is one (list more in Gateway:Routes)"));
            return null;
        }

        return routes?.FirstOrDefault();
    }

    /// <summary><c>Gateway:Routes</c>: a list of HTTPRoute files, each of one or more routes.</summary>
    public static List<HttpRouteSpec> LoadGatewayRoutes(SettingsSection gateway, string configDirectory)
    {
        var routes = new List<HttpRouteSpec>();
        foreach (var (path, text) in gateway.Strings("Routes"))
        {
            var file = Path.GetFullPath(Path.Combine(configDirectory, text));
            routes.AddRange(LoadFile(file, path, text, self: null, gateway.Errors) ?? []);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            if (!names.Add(route.Name))
            {
                gateway.Errors.Add(FieldError.Duplicate(gateway.PathOf("Routes"), route.Name, "two HTTPRoutes have this metadata.name; names order routes that tie, so each must be unique"));
            }
        }

        return routes;
    }

    /// <summary>Each backendRef and mirror must name one of <paramref name="services"/>.</summary>
    public static IEnumerable<FieldError> UnknownBackends(string path, HttpRouteSpec route, IReadOnlyCollection<string> services)
    {
        foreach (var (rule, i) in route.Rules.Select((r, i) => (r, i)))
        {
            foreach (var name in rule.Backends.Select(b => b.Service).Concat(rule.Filters.Mirrors).Distinct())
            {
                if (!services.Contains(name))
                {
                    yield return new FieldError(path, FieldError.NotFoundType, GoSyntax.Quote(name),
                        $"rule {i} of HTTPRoute {GoSyntax.Quote(route.Name)} sends to it, but a backendRef must name a service of Gateway:Services ({string.Join(", ", services.Order(StringComparer.Ordinal))})");
                }
            }
        }
    }

    /// <summary>The HTTPRoutes of a YAML file (documents split by <c>---</c>), or null when the file cannot be read.</summary>
    public static List<HttpRouteSpec>? LoadFile(string file, string path, string shown, string? self, List<FieldError> errors)
    {
        if (ManifestFile.Read(file, out var problem) is not { } text)
        {
            errors.Add(new FieldError(path, problem!.Value.Type, GoSyntax.Quote(file), problem.Value.Detail));
            return null;
        }

        List<(string Yaml, int Line)> documents;
        try
        {
            documents = ManifestDocuments.Split(text);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add(FieldError.Invalid(path, file, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
            return null;
        }

        if (documents.Count == 0)
        {
            errors.Add(FieldError.Invalid(path, file, "the file is empty; it must hold an HTTPRoute (apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute)"));
            return null;
        }

        var routes = new List<HttpRouteSpec>();
        foreach (var (yaml, line) in documents)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            var root = RouteTree.FromYaml(stream.Documents[0].RootNode, $"{path}({Path.GetFileName(shown)}{(documents.Count > 1 ? $", line {line}" : "")})");
            if (Route(root, self, errors) is { } route)
            {
                routes.Add(route with { SourceFile = file });
            }
        }

        return routes;
    }

    private static HttpRouteSpec? Route(RouteTree root, string? self, List<FieldError> errors)
    {
        var before = errors.Count;
        var reader = new HttpRouteReader(errors, self);
        if (!reader.Object(root, TopFields))
        {
            return null;
        }

        var apiVersion = root["apiVersion"];
        if (apiVersion.Text is not { } version || !ApiVersions.Contains(version))
        {
            errors.Add(apiVersion.Text is null ? FieldError.Required(apiVersion.Path, ApiVersions[0]) : FieldError.NotSupported(apiVersion.Path, apiVersion.Text, ApiVersions));
        }

        var kind = root["kind"];
        if (kind.Text != "HTTPRoute")
        {
            errors.Add(kind.Text is null ? FieldError.Required(kind.Path, "HTTPRoute") : FieldError.NotSupported(kind.Path, kind.Text, ["HTTPRoute"]));
        }

        var metadata = root["metadata"];
        reader.Object(metadata, MetadataFields);
        var nameField = metadata["name"];
        var name = nameField.Text;
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(nameField.Path, "an HTTPRoute's name"));
        }
        else if (NameRules.Dns1123Subdomain(name) is { Count: > 0 } problems)
        {
            errors.AddInvalid(nameField.Path, name, problems);
        }

        var spec = root["spec"];
        reader.Object(spec, SpecFields);
        var hostnames = new List<string>();
        foreach (var host in spec["hostnames"].Items)
        {
            if (host.Text is not { Length: > 0 } h || h.Contains(':', StringComparison.Ordinal) || RouteValidator.HostProblems(h).Count > 0)
            {
                errors.Add(FieldError.Invalid(host.Path, host.Text ?? "", "must be a host name, e.g. \"example.com\" or \"*.example.com\", without a port"));
            }
            else
            {
                hostnames.Add(h);
            }
        }

        var rules = reader.Rules(spec["rules"]);
        return errors.Count == before ? new HttpRouteSpec(name!, hostnames, rules) : null;
    }
}
