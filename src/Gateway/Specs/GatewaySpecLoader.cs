using System.Globalization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Reads <c>Gateway:*</c> from configuration into a <see cref="GatewaySpec"/>, collecting every error
/// with its field path, the way the API server words them. Nothing is started from a spec with errors.
/// </summary>
public static partial class GatewaySpecLoader
{
    public const string DefaultProxyUrls = "http://127.0.0.1:8080";
    public const string DefaultAdminUrls = "http://127.0.0.1:9090";

    private static readonly string[] StrategyKeys = ["MaxSurge", "MaxUnavailable"];
    private static readonly string[] RetryKeys = ["Attempts", "BudgetPercent", "MinConcurrent", "BufferBytes"];
    private static readonly string[] KubernetesKeys = ["Namespace", "Service", "Port", "ReadinessProbe"];
    private static readonly string[] PodKeys = ["Replicas", "Template", "Manifest", "Strategy"];
    private static readonly string[] ServiceKeys = ["Route", "Runtime", "Retries", "SlowStartSeconds", .. PodKeys, .. KubernetesKeys];
    private static readonly string[] RouteKeys = ["Path", "Hosts"];

    public static GatewaySpec Load(IConfiguration configuration, string configDirectory, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<string>();
        var gateway = configuration.GetSection("Gateway");
        var proxyUrls = gateway["Proxy:Urls"] is { Length: > 0 } p ? p : DefaultProxyUrls;
        var kubeconfig = gateway["Kubernetes:Kubeconfig"] is { Length: > 0 } k ? Path.GetFullPath(Path.Combine(configDirectory, k)) : null;
        var adminUrls = gateway["Admin:Urls"] is { Length: > 0 } a ? a : DefaultAdminUrls;

        var services = new List<ServiceSpec>();
        foreach (var section in gateway.GetSection("Services").GetChildren())
        {
            if (LoadService(section, configDirectory, found) is { } service)
            {
                services.Add(service);
            }
        }

        var podNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services.Where(s => s.PodName is not null))
        {
            if (!podNames.Add(service.PodName!))
            {
                found.Add($"Gateway:Services:{service.Name}: Duplicate value: \"{service.PodName}\": another service's manifest names the same pod");
            }
        }

        var maxPods = (int)(Number(gateway, "MaxPods", "Gateway", found, min: 0) ?? GatewaySpec.DefaultMaxPods);
        var stateDirectory = gateway["StateDirectory"] is { Length: > 0 } st ? Path.GetFullPath(Path.Combine(configDirectory, st)) : StateDirectories.Default();
        var admin = gateway.GetSection("Admin");
        var adminAccess = new AdminAccessSpec(
            admin["TokenFile"] is { Length: > 0 } t ? Path.GetFullPath(Path.Combine(configDirectory, t)) : null,
            admin["Kubeconfig"] is { Length: > 0 } kc ? Path.GetFullPath(Path.Combine(configDirectory, kc)) : null,
            [.. admin.GetSection("Hosts").GetChildren().Select(c => c.Value).OfType<string>().Where(h => h.Length > 0)]);
        var inherit = gateway.GetSection("Process").GetValue("InheritEnvironment", false);

        errors = found;
        return new GatewaySpec(proxyUrls, adminUrls, services)
        {
            Kubeconfig = kubeconfig,
            MaxPods = maxPods,
            StateDirectory = stateDirectory,
            AdminAccess = adminAccess,
            InheritEnvironment = inherit,
        };
    }

    private static ServiceSpec? LoadService(IConfigurationSection section, string configDirectory, List<string> errors)
    {
        var name = section.Key;
        var path = $"Gateway:Services:{name}";
        var before = errors.Count;

        if (!DnsLabel().IsMatch(name) || name.Length > 63)
        {
            errors.Add($"{path}: Invalid value: \"{name}\": a service name must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters), because pod names are made from it");
        }

        foreach (var child in section.GetChildren())
        {
            if (!ServiceKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}:{child.Key}: Invalid value: \"{child.Key}\": unknown field; supported fields: {string.Join(", ", ServiceKeys)}");
            }
        }

        var route = LoadRoute(section.GetSection("Route"), $"{path}:Route", errors);

        var runtime = RuntimeKind.Process;
        if (section["Runtime"] is { Length: > 0 } runtimeText && !Enum.TryParse(runtimeText, ignoreCase: true, out runtime))
        {
            errors.Add($"{path}:Runtime: Unsupported value: \"{runtimeText}\": supported values: {string.Join(", ", Enum.GetNames<RuntimeKind>().Select(n => $"\"{n}\""))}");
        }

        var retries = LoadRetries(section.GetSection("Retries"), $"{path}:Retries", errors);
        var slowStart = TimeSpan.FromSeconds(Number(section, "SlowStartSeconds", path, errors, min: 0) ?? 0);
        if (runtime == RuntimeKind.Kubernetes)
        {
            var cluster = LoadKubernetesService(section, path, errors);
            return errors.Count != before || cluster is null ? null : new ServiceSpec
            {
                Name = name,
                Route = route,
                Runtime = runtime,
                Replicas = 0,
                PodSpec = new V1PodSpec { Containers = [] },
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = name },
                TemplateHash = "",
                Kubernetes = cluster,
                ConfigDirectory = configDirectory,
                Retries = retries,
                SlowStart = slowStart,
            };
        }

        foreach (var key in KubernetesKeys.Where(key => section.GetSection(key).Exists()))
        {
            errors.Add($"{path}:{key}: Forbidden: only a service with Runtime \"Kubernetes\" names a cluster Service; remove {key} or set Runtime to Kubernetes");
        }

        int? replicas = null;
        if (section["Replicas"] is { Length: > 0 } replicasText)
        {
            if (!int.TryParse(replicasText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var r))
            {
                errors.Add($"{path}:Replicas: Invalid value: \"{replicasText}\": must be an integer");
            }
            else if (r < 0)
            {
                errors.Add($"{path}:Replicas: Invalid value: {r}: must be greater than or equal to 0");
            }
            else
            {
                replicas = r;
            }
        }

        var rollout = LoadRollout(section.GetSection("Strategy"), $"{path}:Strategy", errors);

        var template = section.GetSection("Template");
        var manifest = section["Manifest"];
        var hasTemplate = template.GetChildren().Any();
        var hasManifest = !string.IsNullOrEmpty(manifest);
        V1PodTemplateSpec? pod = null;
        string? podName = null;
        string specPath;

        if (hasTemplate == hasManifest)
        {
            errors.Add(hasTemplate
                ? $"{path}: Invalid value: both Template and Manifest are set: give the pod template inline (Template) or as a Kubernetes YAML file (Manifest), not both"
                : $"{path}: Required value: set Template (a Kubernetes PodTemplateSpec) or Manifest (the path of a Kubernetes YAML file holding a Pod or a Deployment)");
            return null;
        }

        if (hasTemplate)
        {
            specPath = $"{path}:Template.spec";
            var json = ConfigurationJson.ToJson(template, typeof(V1PodTemplateSpec), $"{path}:Template", errors);
            if (errors.Count == before && json is not null)
            {
                pod = KubernetesJson.Deserialize<V1PodTemplateSpec>(json.ToJsonString());
            }
        }
        else
        {
            var file = Path.GetFullPath(Path.Combine(configDirectory, manifest!));
            pod = LoadManifest(file, $"{path}:Manifest", errors, ref replicas, out podName);

            // Errors name the field in the manifest: a Pod's spec, or a Deployment's pod template.
            specPath = podName is not null ? $"{path}:Manifest({manifest}).spec" : $"{path}:Manifest({manifest}).spec.template.spec";
        }

        if (pod is null)
        {
            if (errors.Count == before)
            {
                errors.Add($"{path}: Required value: the pod template is empty");
            }

            return null;
        }

        foreach (var error in PodSpecValidator.Validate(pod.Spec, specPath))
        {
            errors.Add(error.ToString());
        }

        if (runtime == RuntimeKind.Docker)
        {
            ValidateForDocker(pod.Spec, specPath, errors);
        }

        if (errors.Count != before)
        {
            return null;
        }

        var podSpec = PodSpecDefaults.ApplyDefaults(pod.Spec);
        var labels = new Dictionary<string, string>(pod.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (podName is null)
        {
            labels["app"] = name;
        }

        return new ServiceSpec
        {
            Name = name,
            Route = route,
            Runtime = runtime,
            Replicas = replicas ?? 1,
            PodSpec = podSpec,
            Labels = labels,
            PodName = podName,
            TemplateHash = NameGenerator.TemplateHash($"{runtime}:{KubernetesJson.Serialize(podSpec)}"),
            ConfigDirectory = configDirectory,
            Rollout = rollout,
            Retries = retries,
            SlowStart = slowStart,
            SourceFiles = hasManifest ? [Path.GetFullPath(Path.Combine(configDirectory, manifest!))] : [],
        };
    }

    private static RolloutSpec LoadRollout(IConfigurationSection section, string path, List<string> errors)
    {
        UnknownKeys(section, path, StrategyKeys, errors);
        var rollout = RolloutSpec.Default;
        foreach (var key in StrategyKeys)
        {
            if (section[key] is { Length: > 0 } value)
            {
                if (!RolloutSpec.IsValid(value))
                {
                    errors.Add($"{path}:{key}: Invalid value: \"{value}\": must be a non-negative integer or a percentage, e.g. \"25%\"");
                }
                else
                {
                    rollout = key == "MaxSurge" ? rollout with { MaxSurge = value } : rollout with { MaxUnavailable = value };
                }
            }
        }

        return rollout;
    }

    private static RetrySpec LoadRetries(IConfigurationSection section, string path, List<string> errors)
    {
        UnknownKeys(section, path, RetryKeys, errors);
        var d = RetrySpec.Default;
        return new RetrySpec(
            (int)(Number(section, "Attempts", path, errors, min: 0) ?? d.Attempts),
            Number(section, "BudgetPercent", path, errors, min: 0) ?? d.BudgetPercent,
            (int)(Number(section, "MinConcurrent", path, errors, min: 0) ?? d.MinConcurrent),
            (int)(Number(section, "BufferBytes", path, errors, min: 0) ?? d.BufferBytes));
    }

    private static double? Number(IConfigurationSection section, string key, string path, List<string> errors, double min)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add($"{path}:{key}: Invalid value: \"{text}\": must be a number");
            return null;
        }

        if (value < min)
        {
            errors.Add($"{path}:{key}: Invalid value: {text}: must be greater than or equal to {min}");
            return null;
        }

        return value;
    }

    private static void UnknownKeys(IConfigurationSection section, string path, string[] known, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}:{child.Key}: Invalid value: \"{child.Key}\": unknown field; supported fields: {string.Join(", ", known)}");
            }
        }
    }

    /// <summary>A Kubernetes service: a cluster Service to route to, and optionally a gateway-side readiness probe.</summary>
    private static KubernetesServiceSpec? LoadKubernetesService(IConfigurationSection section, string path, List<string> errors)
    {
        foreach (var key in PodKeys.Where(key => section.GetSection(key).Exists()))
        {
            errors.Add($"{path}:{key}: Forbidden: a Kubernetes service's pods are the cluster's; remove {key}");
        }

        var ns = section["Namespace"] is { Length: > 0 } n ? n : "default";
        if (!DnsLabel().IsMatch(ns) || ns.Length > 63)
        {
            errors.Add($"{path}:Namespace: Invalid value: \"{ns}\": a namespace must be a lowercase RFC 1123 label");
        }

        var service = section["Service"];
        if (string.IsNullOrEmpty(service))
        {
            errors.Add($"{path}:Service: Required value: the name of the cluster Service whose EndpointSlices the gateway routes to");
        }
        else if (!DnsLabel().IsMatch(service) || service.Length > 63)
        {
            errors.Add($"{path}:Service: Invalid value: \"{service}\": a Service name must be a lowercase RFC 1123 label");
        }

        var port = section["Port"] is { Length: > 0 } portText ? portText : null;
        if (port is not null && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is < 1 or > 65535)
        {
            errors.Add($"{path}:Port: Invalid value: {number}: must be between 1 and 65535, inclusive");
        }

        V1Probe? probe = null;
        var probeSection = section.GetSection("ReadinessProbe");
        if (probeSection.GetChildren().Any())
        {
            var probePath = $"{path}:ReadinessProbe";
            var json = ConfigurationJson.ToJson(probeSection, typeof(V1Probe), probePath, errors);
            if (json is not null)
            {
                probe = KubernetesJson.Deserialize<V1Probe>(json.ToJsonString());
                var fieldErrors = new List<FieldError>();
                ProbeValidator.Validate(probe, Probes.ProbeKind.Readiness, probePath, new DeclaredPorts($"{path}:Port", new HashSet<string>(StringComparer.Ordinal) { port ?? "" }), fieldErrors);
                if (probe.Exec is not null)
                {
                    fieldErrors.Add(FieldError.Forbidden(FieldPath.Child(probePath, "exec"), "the gateway cannot exec in a cluster's pod; use httpGet, tcpSocket or grpc"));
                }

                errors.AddRange(fieldErrors.Select(e => e.ToString()));
                PodSpecDefaults.ApplyProbeDefaults(probe);
            }
        }

        return service is null ? null : new KubernetesServiceSpec(ns, service, port, probe);
    }

    /// <summary>The Docker runtime runs images: every container names one (the Process runtime only shows it).</summary>
    private static void ValidateForDocker(V1PodSpec spec, string specPath, List<string> errors)
    {
        foreach (var (list, field) in new[] { (spec.InitContainers, "initContainers"), (spec.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (string.IsNullOrWhiteSpace(list![i].Image))
                {
                    errors.Add($"{specPath}.{field}[{i}].image: Required value: the Docker runtime runs an image; name one (e.g. \"busybox\")");
                }
            }
        }
    }

    private static RouteSpec LoadRoute(IConfigurationSection section, string path, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!RouteKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}:{child.Key}: Invalid value: \"{child.Key}\": unknown field; supported fields: {string.Join(", ", RouteKeys)}");
            }
        }

        var routePath = section["Path"];
        var hosts = section.GetSection("Hosts").GetChildren().Select(c => c.Value).OfType<string>().Where(h => h.Length > 0).ToList();
        if (section["Hosts"] is { Length: > 0 } single)
        {
            hosts.Add(single);
        }

        if (string.IsNullOrEmpty(routePath) && hosts.Count == 0)
        {
            routePath = "/{**catch-all}";
        }
        else if (routePath is { Length: > 0 } && !routePath.StartsWith('/'))
        {
            errors.Add($"{path}:Path: Invalid value: \"{routePath}\": must start with '/', e.g. \"/api/{{**rest}}\"");
        }

        return new RouteSpec(string.IsNullOrEmpty(routePath) ? null : routePath, hosts);
    }

    private static V1PodTemplateSpec? LoadManifest(string file, string path, List<string> errors, ref int? replicas, out string? podName)
    {
        podName = null;
        if (!File.Exists(file))
        {
            errors.Add($"{path}: Not found: \"{file}\": no such file; a relative path is relative to the settings file's folder");
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException e)
        {
            errors.Add($"{path}: Invalid value: \"{file}\": cannot be read: {e.Message}");
            return null;
        }

        var kind = KindOf(text);
        try
        {
            switch (kind)
            {
                case "Pod":
                    var p = KubernetesYaml.Deserialize<V1Pod>(text, strict: true);
                    podName = p.Metadata?.Name;
                    if (string.IsNullOrEmpty(podName))
                    {
                        errors.Add($"{path}: Required value: {file}: metadata.name: a Pod manifest must name its pod");
                        return null;
                    }

                    if (replicas is not null and not 1)
                    {
                        errors.Add($"{path}: Invalid value: {replicas}: a bare Pod manifest is one pod; remove Replicas or use a Deployment manifest");
                    }

                    return new V1PodTemplateSpec { Metadata = p.Metadata, Spec = p.Spec };
                case "Deployment":
                    var d = KubernetesYaml.Deserialize<V1Deployment>(text, strict: true);
                    replicas ??= d.Spec?.Replicas;
                    if (d.Spec?.Template is null)
                    {
                        errors.Add($"{path}: Required value: {file}: spec.template: a Deployment must carry a pod template");
                    }

                    return d.Spec?.Template;
                default:
                    errors.Add($"{path}: Unsupported value: {file}: kind \"{kind}\": supported kinds: \"Pod\", \"Deployment\"");
                    return null;
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add($"{path}: Invalid value: {file}: line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
            return null;
        }
    }

    private static string KindOf(string yaml)
    {
        var match = KindLine().Match(yaml);
        return match.Success ? match.Groups[1].Value.Trim('"', '\'') : "";
    }

    [GeneratedRegex("^kind:\\s*(\\S+)\\s*$", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
