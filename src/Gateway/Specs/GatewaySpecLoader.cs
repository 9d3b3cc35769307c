using System.Globalization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Reads <c>Gateway:*</c> from configuration into a <see cref="GatewaySpec"/>, collecting every error
/// with its field path, the way the API server words them. Nothing is started from a spec with errors,
/// and a spec without errors is safe to act on: every value is parsed and range-checked here.
/// </summary>
public static partial class GatewaySpecLoader
{
    public const string DefaultProxyUrls = "http://127.0.0.1:8080";
    public const string DefaultAdminUrls = "http://127.0.0.1:9090";

    // Every key the gateway reads, per section; anything else under Gateway: is a typo or a mistake.
    private static readonly string[] GatewayKeys = ["Proxy", "Admin", "Services", "Kubernetes", "Docker", "MaxPods", "StateDirectory", "Process"];
    private static readonly string[] ProxyKeys = ["Urls"];
    private static readonly string[] AdminKeys = ["Urls", "TokenFile", "Kubeconfig", "Hosts"];
    private static readonly string[] ClusterKeys = ["Kubeconfig"];
    private static readonly string[] DockerKeys = ["Endpoint", "KeepContainersOnShutdown"];
    private static readonly string[] ProcessKeys = ["InheritEnvironment"];
    private static readonly string[] StrategyKeys = ["MaxSurge", "MaxUnavailable"];
    private static readonly string[] RetryKeys = ["Attempts", "BudgetPercent", "MinConcurrent", "BufferBytes"];
    private static readonly string[] KubernetesKeys = ["Namespace", "Service", "Port", "ReadinessProbe"];
    private static readonly string[] PodKeys = ["Replicas", "Template", "Manifest", "Strategy"];
    private static readonly string[] StaticKeys = ["Addresses", "ReadinessProbe"];
    private static readonly string[] ServiceKeys = ["Route", "Runtime", "Retries", "SlowStartSeconds", .. PodKeys, .. KubernetesKeys, "Addresses"];
    private static readonly string[] RouteKeys = ["Path", "Hosts"];

    /// <summary>
    /// The spec, with every problem in <paramref name="errors"/>. Never throws, whatever the
    /// configuration holds: a failure nobody foresaw is one error on the service it came from.
    /// </summary>
    public static GatewaySpec Load(IConfiguration configuration, string configDirectory, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configDirectory);
        var found = new List<string>();
        errors = found;
        try
        {
            return LoadGateway(configuration.GetSection("Gateway"), configDirectory, found);
        }
#pragma warning disable CA1031 // The promise to the host: an unforeseen failure is an error, not a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            found.Add(InternalError("Gateway", e));
            return new GatewaySpec(DefaultProxyUrls, DefaultAdminUrls, []);
        }
    }

    private static GatewaySpec LoadGateway(IConfigurationSection gateway, string configDirectory, List<string> errors)
    {
        const string path = "Gateway";
        if (gateway.Value is { Length: > 0 } value)
        {
            errors.Add(FieldError.Invalid(path, value, $"must be an object with the fields {string.Join(", ", GatewayKeys)}").ToString());
        }

        UnknownKeys(gateway, path, GatewayKeys, errors);
        var proxy = Section(gateway, "Proxy", path, ProxyKeys, errors);
        var admin = Section(gateway, "Admin", path, AdminKeys, errors);
        var (proxyUrls, adminUrls) = LoadListeners(
            Scalar(proxy, "Urls", "Gateway:Proxy", errors) is { Length: > 0 } p ? p : DefaultProxyUrls,
            Scalar(admin, "Urls", "Gateway:Admin", errors) is { Length: > 0 } a ? a : DefaultAdminUrls,
            errors);

        var cluster = Section(gateway, "Kubernetes", path, ClusterKeys, errors);
        var kubeconfig = FilePath(cluster, "Kubeconfig", "Gateway:Kubernetes", configDirectory, errors);
        ValidateDocker(Section(gateway, "Docker", path, DockerKeys, errors), errors);
        var inherit = Boolean(Section(gateway, "Process", path, ProcessKeys, errors), "InheritEnvironment", "Gateway:Process", errors) ?? false;
        var maxPods = (int)(Integer(gateway, "MaxPods", path, 1, GatewaySpec.MaxPodsLimit, errors) ?? GatewaySpec.DefaultMaxPods);
        var stateDirectory = FilePath(gateway, "StateDirectory", path, configDirectory, errors) ?? StateDirectories.Default();
        var adminAccess = new AdminAccessSpec(
            FilePath(admin, "TokenFile", "Gateway:Admin", configDirectory, errors),
            FilePath(admin, "Kubeconfig", "Gateway:Admin", configDirectory, errors),
            AdminHosts(admin, errors));

        var services = new List<ServiceSpec>();
        var serviceSections = Section(gateway, "Services", path, known: null, errors).GetChildren().ToList();
        if (serviceSections.Count > 0 && serviceSections.All(s => int.TryParse(s.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            // A JSON list arrives keyed 0, 1, ...: services are named by their keys instead.
            errors.Add("Gateway:Services: Invalid value: must be an object of services by name, e.g. { \"web\": { ... } }, not a list");
            serviceSections.Clear();
        }

        // Routes are compared even for services with other errors, so that one round of fixes is enough.
        var routes = new List<(string Service, RouteSpec Route)>();
        foreach (var section in serviceSections)
        {
            if (LoadService(section, configDirectory, routes, errors) is { } service)
            {
                services.Add(service);
            }
        }

        var podNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services.Where(s => s.Pods?.PodName is not null))
        {
            if (!podNames.Add(service.Pods!.PodName!))
            {
                errors.Add($"Gateway:Services:{service.Name}: Duplicate value: \"{service.Pods.PodName}\": another service's manifest names the same pod");
            }
        }

        errors.AddRange(RouteValidator.Conflicts(routes));
        return new GatewaySpec(proxyUrls, adminUrls, services)
        {
            Kubeconfig = kubeconfig,
            MaxPods = maxPods,
            StateDirectory = stateDirectory,
            AdminAccess = adminAccess,
            InheritEnvironment = inherit,
        };
    }

    /// <summary>The listeners' URLs as Kestrel takes them (trimmed, ';'-joined), checked one by one and against each other.</summary>
    private static (string Proxy, string Admin) LoadListeners(string proxyUrls, string adminUrls, List<string> errors)
    {
        var proxy = ListenerUrls.Parse(proxyUrls, "Gateway:Proxy:Urls", errors);
        var admin = ListenerUrls.Parse(adminUrls, "Gateway:Admin:Urls", errors, allowHttps: true);
        foreach (var listener in admin)
        {
            if (proxy.FirstOrDefault(p => ListenerUrls.Overlap(p, listener)) is { } taken)
            {
                errors.Add(FieldError.Invalid("Gateway:Admin:Urls", listener.Url,
                    $"the same port as Gateway:Proxy:Urls ({GoSyntax.Quote(taken.Url)}); give the admin API a port of its own").ToString());
            }
        }

        return (string.Join(';', proxy.Select(l => l.Url)), string.Join(';', admin.Select(l => l.Url)));
    }

    private static void ValidateDocker(IConfigurationSection docker, List<string> errors)
    {
        const string path = "Gateway:Docker";
        Boolean(docker, "KeepContainersOnShutdown", path, errors);
        if (Scalar(docker, "Endpoint", path, errors) is { Length: > 0 } endpoint)
        {
            ValidateDockerEndpoint(endpoint, $"{path}:Endpoint", errors);
        }
        else if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && !Uri.TryCreate(host, UriKind.Absolute, out _))
        {
            // The runtime falls back to DOCKER_HOST, which the docker CLI shares (with schemes such as
            // ssh:// that only matter once a Docker service runs): here it only has to be a URL.
            errors.Add(FieldError.Invalid("DOCKER_HOST", host, "must be an absolute URL, e.g. \"unix:///var/run/docker.sock\"; fix the environment variable or set Gateway:Docker:Endpoint").ToString());
        }
    }

    private static void ValidateDockerEndpoint(string endpoint, string path, List<string> errors)
    {
        const string example = "e.g. \"unix:///var/run/docker.sock\" or \"tcp://127.0.0.1:2375\"";
        string? problem = !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            ? $"must be an absolute URL, {example}"
            : uri.Scheme switch
            {
                "unix" => uri.AbsolutePath.Length > 1 ? null : $"a unix:// endpoint names the engine's socket, {example}",
                "tcp" or "http" => uri.Host.Length > 0 && uri.Port is > 0 and <= 65535 ? null : $"a {uri.Scheme}:// endpoint names a host and a port, {example}",
                _ => $"the scheme must be unix, tcp or http, {example}",
            };
        if (problem is not null)
        {
            errors.Add(FieldError.Invalid(path, endpoint, problem).ToString());
        }
    }

    private static List<string> AdminHosts(IConfigurationSection admin, List<string> errors)
    {
        const string path = "Gateway:Admin:Hosts";
        var hosts = Strings(admin, "Hosts", "Gateway:Admin", errors);
        for (var i = 0; i < hosts.Count; i++)
        {
            var problems = hosts[i].Contains('*', StringComparison.Ordinal)
                ? ["a wildcard would let any web page reach the admin API (DNS rebinding); name each host"]
                : RouteValidator.HostProblems(hosts[i]);
            errors.AddRange(problems.Select(problem => FieldError.Invalid($"{path}:{i}", hosts[i], problem).ToString()));
        }

        return hosts;
    }

    private static ServiceSpec? LoadService(
        IConfigurationSection section, string configDirectory, List<(string Service, RouteSpec Route)> routes, List<string> errors)
    {
        var path = $"Gateway:Services:{section.Key}";
        try
        {
            return LoadServiceFields(section, path, configDirectory, routes, errors);
        }
#pragma warning disable CA1031 // One service's unforeseen failure is that service's error; the others are still read.
        catch (Exception e)
#pragma warning restore CA1031
        {
            errors.Add(InternalError(path, e));
            return null;
        }
    }

    private static ServiceSpec? LoadServiceFields(
        IConfigurationSection section, string path, string configDirectory, List<(string Service, RouteSpec Route)> routes, List<string> errors)
    {
        var name = section.Key;
        var before = errors.Count;
        if (NameRules.Dns1123Label(name).Count > 0)
        {
            errors.Add($"{path}: Invalid value: {GoSyntax.Quote(name)}: a service name must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters), because pod names are made from it");
        }

        if (section.Value is { Length: > 0 } value)
        {
            errors.Add(FieldError.Invalid(path, value, "must be an object: a service's Route, Runtime, Replicas and Template or Manifest").ToString());
            return null;
        }

        UnknownKeys(section, path, ServiceKeys, errors);
        var beforeRoute = errors.Count;
        var route = LoadRoute(section, path, errors);
        if (errors.Count == beforeRoute)
        {
            routes.Add((name, route));
        }

        var kind = BackendKind.Process;
        if (Scalar(section, "Runtime", path, errors) is { Length: > 0 } runtimeText)
        {
            // Enum.TryParse would take "7" too.
            var names = Enum.GetNames<BackendKind>();
            if (names.FirstOrDefault(n => n.Equals(runtimeText, StringComparison.OrdinalIgnoreCase)) is { } known)
            {
                kind = Enum.Parse<BackendKind>(known);
            }
            else
            {
                errors.Add(FieldError.NotSupported($"{path}:Runtime", runtimeText, names).ToString());
            }
        }

        var retries = LoadRetries(Section(section, "Retries", path, RetryKeys, errors), $"{path}:Retries", errors);
        var slowStart = TimeSpan.FromSeconds(Real(section, "SlowStartSeconds", path, 0, ServiceSpec.MaxSlowStartSeconds, errors) ?? 0);
        ForbidOtherBackendsKeys(section, path, kind, errors);
        string? sourceFile = null;
        BackendSpec? backend = kind switch
        {
            BackendKind.Kubernetes => LoadClusterBackend(section, path, errors),
            BackendKind.Static => LoadStaticBackend(section, path, errors),
            _ => LoadPodsBackend(section, name, kind == BackendKind.Docker ? RuntimeKind.Docker : RuntimeKind.Process, path, configDirectory, errors, out sourceFile),
        };
        return errors.Count != before || backend is null ? null : new ServiceSpec
        {
            Name = name,
            Route = route,
            Backend = backend,
            ConfigDirectory = configDirectory,
            Retries = retries,
            SlowStart = slowStart,
            SourceFiles = sourceFile is null ? [] : [sourceFile],
        };
    }

    /// <summary>The values of a service's <c>Runtime</c>: the two pod runtimes, and the two backends that run no pods.</summary>
    private enum BackendKind
    {
        Process,
        Docker,
        Kubernetes,
        Static,
    }

    /// <summary>A key of one backend kind set on a service of another is refused, naming the kind that takes it.</summary>
    private static void ForbidOtherBackendsKeys(IConfigurationSection section, string path, BackendKind kind, List<string> errors)
    {
        var own = kind switch
        {
            BackendKind.Kubernetes => KubernetesKeys,
            BackendKind.Static => StaticKeys,
            _ => PodKeys,
        };
        foreach (var key in PodKeys.Concat(KubernetesKeys).Concat(StaticKeys).Distinct().Where(key => !own.Contains(key) && section.GetSection(key).Exists()))
        {
            var detail = (kind, key) switch
            {
                (BackendKind.Kubernetes, _) when PodKeys.Contains(key) => "a Kubernetes service's pods are the cluster's",
                (BackendKind.Kubernetes, _) => "a Kubernetes service's endpoints come from the cluster Service's EndpointSlices",
                (BackendKind.Static, _) when PodKeys.Contains(key) => "a Static service routes to its fixed Addresses and runs no pods",
                (BackendKind.Static, _) => "a Static service routes to its Addresses, not to a cluster Service",
                (_, "Addresses") => "only a service with Runtime \"Static\" lists fixed Addresses; remove Addresses or set Runtime to Static",
                (_, "ReadinessProbe") => "a service-level ReadinessProbe is for Runtime \"Kubernetes\" or \"Static\"; a pod's probes go in its containers (Template.spec.containers[].readinessProbe)",
                _ => $"only a service with Runtime \"Kubernetes\" names a cluster Service; remove {key} or set Runtime to Kubernetes",
            };
            errors.Add(kind is BackendKind.Kubernetes or BackendKind.Static ? $"{path}:{key}: Forbidden: {detail}; remove {key}" : $"{path}:{key}: Forbidden: {detail}");
        }
    }

    /// <summary>Pods the gateway runs: a template or a manifest, replicas and a rollout strategy.</summary>
    private static PodsBackend? LoadPodsBackend(
        IConfigurationSection section, string name, RuntimeKind runtime, string path, string configDirectory, List<string> errors, out string? file)
    {
        file = null;
        var before = errors.Count;
        var replicas = (int?)Integer(section, "Replicas", path, 0, int.MaxValue, errors);
        var rollout = LoadRollout(Section(section, "Strategy", path, StrategyKeys, errors), $"{path}:Strategy", errors);

        var beforeSource = errors.Count;
        var template = Section(section, "Template", path, known: null, errors);
        var manifest = Scalar(section, "Manifest", path, errors);
        var hasTemplate = template.GetChildren().Any();
        var hasManifest = !string.IsNullOrEmpty(manifest);
        if (errors.Count != beforeSource)
        {
            return null;
        }

        if (hasTemplate == hasManifest)
        {
            errors.Add(hasTemplate
                ? $"{path}: Invalid value: both Template and Manifest are set: give the pod template inline (Template) or as a Kubernetes YAML file (Manifest), not both"
                : $"{path}: Required value: set Template (a Kubernetes PodTemplateSpec) or Manifest (the path of a Kubernetes YAML file holding a Pod or a Deployment)");
            return null;
        }

        V1PodTemplateSpec? pod;
        string? podName = null;
        string podPath;
        if (hasTemplate)
        {
            podPath = $"{path}:Template";
            pod = ConfigurationJson.Bind<V1PodTemplateSpec>(template, podPath, errors);
        }
        else
        {
            podPath = $"{path}:Manifest({manifest})";
            file = FilePath(section, "Manifest", path, configDirectory, errors);
            pod = file is null ? null : LoadManifest(file, $"{path}:Manifest", podPath, errors, ref replicas, out podName, out podPath);
        }

        if (pod is null)
        {
            if (errors.Count == before)
            {
                errors.Add($"{path}: Required value: the pod template is empty");
            }

            return null;
        }

        ValidateLabels(pod.Metadata?.Labels, $"{podPath}.metadata.labels", errors);
        var specPath = $"{podPath}.spec";
        errors.AddRange(PodSpecValidator.Validate(pod.Spec, specPath).Select(error => error.ToString()));
        if (runtime == RuntimeKind.Docker && pod.Spec is not null)
        {
            ValidateForDocker(pod.Spec, specPath, errors);
        }

        if (errors.Count != before)
        {
            return null;
        }

        var podSpec = PodSpecDefaults.ApplyDefaults(pod.Spec!); // a null spec is a Required error above
        var labels = (pod.Metadata?.Labels ?? new Dictionary<string, string>()).ToDictionary(l => l.Key, l => l.Value ?? "", StringComparer.Ordinal);
        if (podName is null)
        {
            labels["app"] = name;
        }

        return new PodsBackend
        {
            Runtime = runtime,
            Replicas = replicas ?? 1,
            PodSpec = podSpec,
            Labels = labels,
            PodName = podName,
            TemplateHash = NameGenerator.TemplateHash($"{runtime}:{KubernetesJson.Serialize(podSpec)}"),
            Rollout = rollout,
        };
    }

    private static RolloutSpec LoadRollout(IConfigurationSection section, string path, List<string> errors)
    {
        var rollout = RolloutSpec.Default;
        foreach (var key in StrategyKeys)
        {
            if (Scalar(section, key, path, errors) is not { Length: > 0 } value)
            {
                continue;
            }

            if (!RolloutSpec.IsValid(value))
            {
                errors.Add(FieldError.Invalid($"{path}:{key}", value, "must be a non-negative integer or a percentage, e.g. \"25%\"").ToString());
            }
            else if (key == "MaxUnavailable" && value.EndsWith('%') && int.Parse(value[..^1], CultureInfo.InvariantCulture) > 100)
            {
                errors.Add(FieldError.Invalid($"{path}:{key}", value, "must not be greater than 100%").ToString());
            }
            else
            {
                rollout = key == "MaxSurge" ? rollout with { MaxSurge = value } : rollout with { MaxUnavailable = value };
            }
        }

        // The deployment controller's rule: a rollout must be able to move.
        if (IsZero(rollout.MaxSurge) && IsZero(rollout.MaxUnavailable))
        {
            errors.Add(FieldError.Invalid($"{path}:MaxUnavailable", rollout.MaxUnavailable, "may not be 0 when MaxSurge is 0").ToString());
        }

        return rollout;
    }

    private static bool IsZero(string countOrPercent) =>
        int.TryParse(countOrPercent.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == 0;

    private static RetrySpec LoadRetries(IConfigurationSection section, string path, List<string> errors)
    {
        var d = RetrySpec.Default;
        return new RetrySpec(
            (int)(Integer(section, "Attempts", path, 0, RetrySpec.MaxAttempts, errors) ?? d.Attempts),
            Real(section, "BudgetPercent", path, 0, 100, errors) ?? d.BudgetPercent,
            (int)(Integer(section, "MinConcurrent", path, 0, RetrySpec.MaxMinConcurrent, errors) ?? d.MinConcurrent),
            (int)(Integer(section, "BufferBytes", path, 0, RetrySpec.MaxBufferBytes, errors) ?? d.BufferBytes));
    }

    /// <summary>A service-level readiness probe (Kubernetes and Static backends): any handler but exec, defaults applied.</summary>
    private static V1Probe? LoadServiceProbe(IConfigurationSection section, string path, DeclaredPorts ports, string noExec, List<string> errors)
    {
        var probeSection = Section(section, "ReadinessProbe", path, known: null, errors);
        if (!probeSection.GetChildren().Any())
        {
            return null;
        }

        var probePath = $"{path}:ReadinessProbe";
        var probe = ConfigurationJson.Bind<V1Probe>(probeSection, probePath, errors);
        if (probe is null)
        {
            return null;
        }

        var fieldErrors = new List<FieldError>();
        ProbeValidator.Validate(probe, ProbeKind.Readiness, probePath, ports, fieldErrors);
        if (probe.Exec is not null)
        {
            fieldErrors.Add(FieldError.Forbidden(FieldPath.Child(probePath, "exec"), noExec));
        }

        errors.AddRange(fieldErrors.Select(e => e.ToString()));
        PodSpecDefaults.ApplyProbeDefaults(probe);
        return probe;
    }

    /// <summary>The most addresses a Static service may list.</summary>
    public const int MaxStaticAddresses = 1000;

    /// <summary>A Static service: fixed addresses, and optionally a readiness probe run against each.</summary>
    private static StaticBackend? LoadStaticBackend(IConfigurationSection section, string path, List<string> errors)
    {
        var before = errors.Count;
        var addressesPath = $"{path}:Addresses";
        var texts = Strings(section, "Addresses", path, errors);
        if (errors.Count != before)
        {
            return null;
        }

        if (texts.Count == 0)
        {
            errors.Add(FieldError.Required(addressesPath, "list the backends' URLs, such as [\"http://127.0.0.1:5001\", \"http://127.0.0.1:5002\"]").ToString());
            return null;
        }

        if (texts.Count > MaxStaticAddresses)
        {
            errors.Add(FieldError.Invalid(addressesPath, texts.Count, $"must have at most {MaxStaticAddresses} addresses").ToString());
            return null;
        }

        var addresses = new List<Uri>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            var itemPath = $"{addressesPath}:{i}";
            if (StaticAddressProblem(texts[i], out var uri) is { } problem)
            {
                errors.Add(FieldError.Invalid(itemPath, texts[i], problem).ToString());
            }
            else if (addresses.Contains(uri!))
            {
                errors.Add(FieldError.Duplicate(itemPath, texts[i]).ToString());
            }
            else
            {
                addresses.Add(uri!);
            }
        }

        var probe = LoadServiceProbe(section, path, new DeclaredPorts(addressesPath, new HashSet<string>(StringComparer.Ordinal) { StaticBackend.PortName }), "the gateway cannot exec in a Static backend; use httpGet, tcpSocket or grpc", errors);
        return errors.Count != before ? null : new StaticBackend(addresses, probe);
    }

    /// <summary>Why a Static address is refused, or null when it is an absolute <c>http://host:port</c> URL.</summary>
    private static string? StaticAddressProblem(string text, out Uri? uri)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri) || uri.IsFile || uri.IsUnc)
        {
            return "must be an absolute URL such as http://127.0.0.1:5001";
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            return uri.Scheme == Uri.UriSchemeHttps
                ? "https backends are not supported yet: use http://"
                : $"scheme {GoSyntax.Quote(uri.Scheme)} is not supported: use http://";
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/")
        {
            return "must be only a scheme, host and port (no user, path, query or fragment), such as http://127.0.0.1:5001";
        }

        return uri.Host.Length == 0 ? "must name a host, such as http://127.0.0.1:5001" : null;
    }

    /// <summary>A Kubernetes service: a cluster Service to route to, and optionally a gateway-side readiness probe.</summary>
    private static ClusterBackend? LoadClusterBackend(IConfigurationSection section, string path, List<string> errors)
    {
        var ns = Scalar(section, "Namespace", path, errors) is { Length: > 0 } n ? n : "default";
        if (NameRules.Dns1123Label(ns).Count > 0)
        {
            errors.Add($"{path}:Namespace: Invalid value: {GoSyntax.Quote(ns)}: a namespace must be a lowercase RFC 1123 label");
        }

        var service = Scalar(section, "Service", path, errors);
        if (string.IsNullOrEmpty(service))
        {
            errors.Add($"{path}:Service: Required value: the name of the cluster Service whose EndpointSlices the gateway routes to");
        }
        else if (NameRules.Dns1123Label(service).Count > 0)
        {
            errors.Add($"{path}:Service: Invalid value: {GoSyntax.Quote(service)}: a Service name must be a lowercase RFC 1123 label");
        }

        var port = Scalar(section, "Port", path, errors) is { Length: > 0 } portText ? portText : null;
        if (port is not null)
        {
            var portPath = $"{path}:Port";
            if (port.All(char.IsAsciiDigit) || port.StartsWith('-'))
            {
                if (NumberField.Integer(portPath, port, 1, 65535, out _) is { } error)
                {
                    errors.Add(error.ToString());
                }
            }
            else
            {
                errors.AddRange(NameRules.PortName(port).Select(problem => FieldError.Invalid(portPath, port, problem).ToString()));
            }
        }

        var probe = LoadServiceProbe(section, path, new DeclaredPorts($"{path}:Port", new HashSet<string>(StringComparer.Ordinal) { port ?? "" }),
            "the gateway cannot exec in a cluster's pod; use httpGet, tcpSocket or grpc", errors);
        return string.IsNullOrEmpty(service) ? null : new ClusterBackend(ns, service, port, probe);
    }

    /// <summary>The Docker runtime runs images: every container names one (the Process runtime only shows it).</summary>
    private static void ValidateForDocker(V1PodSpec spec, string specPath, List<string> errors)
    {
        foreach (var (list, field) in new[] { (spec.InitContainers, "initContainers"), (spec.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i] is { } container && string.IsNullOrWhiteSpace(container.Image))
                {
                    errors.Add($"{specPath}.{field}[{i}].image: Required value: the Docker runtime runs an image; name one (e.g. \"busybox\")");
                }
            }
        }
    }

    private static void ValidateLabels(IDictionary<string, string>? labels, string path, List<string> errors)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            errors.AddRange(NameRules.QualifiedName(key).Select(problem => FieldError.Invalid(path, key, problem).ToString()));
            errors.AddRange(NameRules.LabelValue(value ?? "").Select(problem => FieldError.Invalid(path, value ?? "", problem).ToString()));
        }
    }

    private static RouteSpec LoadRoute(IConfigurationSection service, string servicePath, List<string> errors)
    {
        var path = $"{servicePath}:Route";
        var section = Section(service, "Route", servicePath, RouteKeys, errors);
        var routePath = Scalar(section, "Path", path, errors);
        var hosts = Strings(section, "Hosts", path, errors);
        for (var i = 0; i < hosts.Count; i++)
        {
            errors.AddRange(RouteValidator.HostProblems(hosts[i]).Select(problem => FieldError.Invalid($"{path}:Hosts:{i}", hosts[i], problem).ToString()));
        }

        if (string.IsNullOrEmpty(routePath) && hosts.Count == 0)
        {
            routePath = RouteValidator.CatchAll;
        }
        else if (routePath is { Length: > 0 } && RouteValidator.ValidatePath(routePath, $"{path}:Path") is { } error)
        {
            errors.Add(error.ToString());
        }

        return new RouteSpec(string.IsNullOrEmpty(routePath) ? null : routePath, hosts);
    }

    private static V1PodTemplateSpec? LoadManifest(
        string file, string path, string manifestPath, List<string> errors, ref int? replicas, out string? podName, out string podPath)
    {
        podName = null;
        podPath = manifestPath;
        if (ManifestFile.Read(file, out var problem) is not { } text)
        {
            errors.Add(new FieldError(path, problem!.Value.Type, GoSyntax.Quote(file), problem.Value.Detail).ToString());
            return null;
        }

        if (text.Split('\n').All(line => line.Trim() is "" or "---" or "..." || line.TrimStart().StartsWith('#')))
        {
            errors.Add(FieldError.Invalid(path, file, "the file is empty; it must hold one Pod or Deployment").ToString());
            return null;
        }

        if (ManifestFile.TooDeep(text) is { } deepLine)
        {
            errors.Add(FieldError.Invalid(path, file, $"line {deepLine}: lists and objects nest deeper than {ManifestFile.MaxFlowDepth} levels; a pod manifest needs far fewer").ToString());
            return null;
        }

        var kind = KindLine().Match(text) is { Success: true } match ? match.Groups[1].Value.Trim('"', '\'') : "";
        try
        {
            // The syntax first, with YamlDotNet's own parser: a broken file is named by its line, whatever
            // state the typed deserialiser would have been left in.
            var scanner = new YamlDotNet.Core.Scanner(new StringReader(text));
            var parser = new YamlDotNet.Core.Parser(scanner);
            try
            {
                while (parser.MoveNext())
                {
                }
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner fails this way, without a mark, inside an unclosed flow list or object.
                var at = scanner.CurrentPosition;
                errors.Add(FieldError.Invalid(path, file, $"line {at.Line}, column {at.Column}: the YAML is not well-formed here (an unclosed '[' or '{{' above?)").ToString());
                return null;
            }

            switch (kind)
            {
                case "Pod":
                    var p = KubernetesYaml.Deserialize<V1Pod>(text, strict: true);
                    var name = p.Metadata?.Name;
                    var namePath = $"{manifestPath}.metadata.name";
                    if (string.IsNullOrEmpty(name))
                    {
                        errors.Add($"{namePath}: Required value: a Pod manifest must name its pod");
                        return null;
                    }

                    // The pod's name becomes a folder name: nothing but a DNS subdomain ("../x" is not one).
                    errors.AddRange(NameRules.Dns1123Subdomain(name).Select(e => FieldError.Invalid(namePath, name, e).ToString()));
                    podName = name;
                    if (replicas is not null and not 1)
                    {
                        errors.Add($"{path}: Invalid value: {replicas}: a bare Pod manifest is one pod; remove Replicas or use a Deployment manifest");
                    }

                    return new V1PodTemplateSpec { Metadata = p.Metadata, Spec = p.Spec };
                case "Deployment":
                    var d = KubernetesYaml.Deserialize<V1Deployment>(text, strict: true);
                    podPath = $"{manifestPath}.spec.template";
                    if (d.Spec?.Replicas is < 0)
                    {
                        errors.Add(FieldError.Invalid($"{manifestPath}.spec.replicas", d.Spec.Replicas, "must be greater than or equal to 0").ToString());
                    }

                    replicas ??= d.Spec?.Replicas;
                    if (d.Spec?.Template is null)
                    {
                        errors.Add($"{path}: Required value: {file}: spec.template: a Deployment must carry a pod template");
                    }

                    return d.Spec?.Template;
                case "":
                    errors.Add(FieldError.Required($"{manifestPath}.kind", "a manifest holds a Pod or a Deployment; set kind: Pod or kind: Deployment").ToString());
                    return null;
                default:
                    errors.Add($"{path}: Unsupported value: {file}: kind {GoSyntax.Quote(kind)}: supported kinds: \"Pod\", \"Deployment\"");
                    return null;
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add(FieldError.Invalid(path, file, $"line {e.Start.Line}, column {e.Start.Column}: {ManifestProblem(e, text)}").ToString());
            return null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            errors.Add(FieldError.Invalid(path, file, $"cannot be parsed: {e.Message}").ToString());
            return null;
        }
    }

    // YamlDotNet's message, in the API server's words where the case is known.
    private static string ManifestProblem(YamlDotNet.Core.YamlException e, string text)
    {
        var start = (int)Math.Clamp(e.Start.Index, 0, text.Length);
        var scalar = text[start..(int)Math.Clamp(e.End.Index, start, text.Length)].Trim().Trim('"', '\'');
        var message = e.InnerException?.Message ?? TrailingMark().Replace(e.Message, "");
        if (e.InnerException is OverflowException)
        {
            return $"Invalid value: {scalar}: out of range for the field's integer type";
        }

        // The message of the fractions library that parses a ResourceQuantity.
        if (e.InnerException is FormatException format && format.Message.Contains("converted to fraction", StringComparison.Ordinal))
        {
            return $"Invalid value: {GoSyntax.Quote(scalar)}: {string.Join("; ", NameRules.Quantity(scalar))}";
        }

        if (e.InnerException is FormatException notNumber && notNumber.Message.Contains("was not in a correct format", StringComparison.Ordinal))
        {
            return $"Invalid value: {GoSyntax.Quote(scalar)}: must be an integer";
        }

        if (UnknownProperty().Match(message) is { Success: true } unknown && typeof(V1Pod).Assembly.GetType(unknown.Groups[2].Value) is { } model)
        {
            var field = unknown.Groups[1].Value;
            return $"{GoSyntax.Quote(field)}: {FieldNames.UnknownDetail(field, ConfigurationJson.FieldNames(model), "check its spelling against the Kubernetes API reference")}";
        }

        if (WrongShape().Match(message) is { Success: true } shape)
        {
            return $"wrong type for this field: expected {(shape.Groups[1].Value == "System.String" ? "a single value" : "a " + shape.Groups[1].Value.Split('.')[^1])}";
        }

        if (message.Contains("got 'DocumentStart'", StringComparison.Ordinal))
        {
            return "the file holds more than one YAML document ('---'); a manifest holds one Pod or Deployment";
        }

        if (ExpectedNode().Match(message) is { Success: true } node)
        {
            return $"wrong type for this field: expected {NodeKind(node.Groups[1].Value)}, found {NodeKind(node.Groups[2].Value)}";
        }

        return message;
    }

    private static string NodeKind(string yamlEvent) => yamlEvent switch
    {
        "SequenceStart" => "a list",
        "MappingStart" => "an object",
        "Scalar" => "a single value",
        _ => yamlEvent,
    };

    private static string InternalError(string path, Exception e) =>
        $"{path}: Internal error: {e.GetType().Name}: {e.Message}; please report";

    private static void UnknownKeys(IConfigurationSection section, string path, string[] known, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(FieldNames.UnknownKey(path, child.Key, known));
            }
        }
    }

    /// <summary>The object <paramref name="key"/> of <paramref name="parent"/>; a plain value there is an error, and so is a key outside <paramref name="known"/> (null: not checked here).</summary>
    private static IConfigurationSection Section(IConfigurationSection parent, string key, string parentPath, string[]? known, List<string> errors)
    {
        var section = parent.GetSection(key);
        var path = $"{parentPath}:{key}";
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add(FieldError.Invalid(path, value, known is null ? "must be an object" : $"must be an object with the fields {string.Join(", ", known)}").ToString());
        }

        if (known is not null)
        {
            UnknownKeys(section, path, known, errors);
        }

        return section;
    }

    /// <summary>The plain value of <paramref name="key"/>; an object or a list there is an error.</summary>
    private static string? Scalar(IConfigurationSection parent, string key, string parentPath, List<string> errors)
    {
        var section = parent.GetSection(key);
        if (section.GetChildren().Any())
        {
            errors.Add($"{parentPath}:{key}: Invalid value: must be a single value, not an object or a list");
            return null;
        }

        return section.Value;
    }

    /// <summary>A list of strings, or one string standing for a list of one.</summary>
    private static List<string> Strings(IConfigurationSection parent, string key, string parentPath, List<string> errors)
    {
        var section = parent.GetSection(key);
        var path = $"{parentPath}:{key}";
        if (section.Value is { Length: > 0 } single)
        {
            return [single];
        }

        var items = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"{path}: Invalid value: must be a list of strings, found the key {GoSyntax.Quote(child.Key)}");
                return [];
            }

            if (Scalar(section, child.Key, path, errors) is { Length: > 0 } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private static long? Integer(IConfigurationSection parent, string key, string parentPath, long min, long max, List<string> errors) =>
        Parsed(parent, key, parentPath, errors, (string path, string text, out long value) => NumberField.Integer(path, text, min, max, out value));

    private static double? Real(IConfigurationSection parent, string key, string parentPath, double min, double max, List<string> errors) =>
        Parsed(parent, key, parentPath, errors, (string path, string text, out double value) => NumberField.Real(path, text, min, max, out value));

    private static bool? Boolean(IConfigurationSection parent, string key, string parentPath, List<string> errors) =>
        Parsed(parent, key, parentPath, errors, (string path, string text, out bool value) =>
            bool.TryParse(text, out value) ? null : FieldError.Invalid(path, text, "must be true or false"));

    private delegate FieldError? Parser<T>(string path, string text, out T value);

    /// <summary>The value of <paramref name="key"/> parsed, or null when it is unset or wrong (and then an error says why).</summary>
    private static T? Parsed<T>(IConfigurationSection parent, string key, string parentPath, List<string> errors, Parser<T> parse)
        where T : struct
    {
        if (Scalar(parent, key, parentPath, errors) is not { Length: > 0 } text)
        {
            return null;
        }

        if (parse($"{parentPath}:{key}", text, out var value) is { } error)
        {
            errors.Add(error.ToString());
            return null;
        }

        return value;
    }

    /// <summary>A file or folder named in the settings, relative to the settings file's folder.</summary>
    private static string? FilePath(IConfigurationSection parent, string key, string parentPath, string configDirectory, List<string> errors)
    {
        if (Scalar(parent, key, parentPath, errors) is not { Length: > 0 } text)
        {
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid($"{parentPath}:{key}", text, "a path may not contain a NUL character").ToString());
            return null;
        }

        return Path.GetFullPath(Path.Combine(configDirectory, text));
    }

    [GeneratedRegex(@"^kind:\s*(\S+?)\s*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)\s*\.?$")]
    private static partial Regex TrailingMark();

    [GeneratedRegex(@"^No node deserializer was able to deserialize the node into type ([\w.]+),")]
    private static partial Regex WrongShape();

    [GeneratedRegex(@"^Expected '(\w+)', got '(\w+)'")]
    private static partial Regex ExpectedNode();

    [GeneratedRegex(@"^Property '(.+)' not found on type '(.+)'\.$")]
    private static partial Regex UnknownProperty();
}
