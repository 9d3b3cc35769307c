
namespace Gateway.Specs;

/// <summary>
/// The gateway-wide settings: the proxy and admin listeners, who may reach the admin API, the
/// cluster's kubeconfig, the Docker engine, the Process runtime, <c>MaxPods</c> and the state folder.
/// </summary>
internal static class GatewaySettingsLoader
{
    // Every key the gateway reads, per section; anything else under Gateway: is a typo or a mistake.
    private static readonly string[] GatewayKeys = ["Proxy", "Admin", "Services", "Kubernetes", "Docker", "MaxPods", "StateDirectory", "Process", "AccessLog", "TerminatedPodHistory", "Logs", "Routes", "KeepPodsOnShutdown", "PodNetwork"];
    private static readonly string[] ProxyKeys = ["Urls", "Limits", "Certificate", "Certificates"];
    private static readonly string[] AdminKeys = ["Urls", "TokenFile", "Kubeconfig", "Hosts"];
    private static readonly string[] KubernetesKeys = ["Kubeconfig"];
    private static readonly string[] DockerKeys = ["Endpoint", "KeepContainersOnShutdown"];
    private static readonly string[] ProcessKeys = ["InheritEnvironment", "PrivateTmp"];
    private static readonly string[] LogsKeys = ["ContainerLogMaxSize", "ContainerLogMaxFiles"];

    /// <summary>The smallest <c>Gateway:Logs:ContainerLogMaxSize</c>: a file holds at least a few lines.</summary>
    public const long MinContainerLogMaxSize = 1024;

    /// <summary>The largest <c>Gateway:Logs:ContainerLogMaxFiles</c>.</summary>
    public const int MaxContainerLogMaxFiles = 100;

    /// <summary>The spec of <paramref name="gateway"/> (the <c>Gateway</c> section) without its services.</summary>
    public static GatewaySpec Load(SettingsSection gateway, string configDirectory)
    {
        if (gateway.Value is { Length: > 0 } value)
        {
            gateway.Errors.Add(FieldError.Invalid(gateway.Path, value, $"must be an object with the fields {string.Join(", ", GatewayKeys)}"));
        }

        gateway.RefuseUnknownKeys(GatewayKeys);
        var proxy = gateway.Object("Proxy", ProxyKeys);
        var admin = gateway.Object("Admin", AdminKeys);
        var before = gateway.Errors.Count;
        var certificates = ProxyCertificates.Load(proxy, configDirectory, TimeProvider.System.GetUtcNow());
        var (proxyUrls, adminUrls) = LoadListeners(
            proxy.Scalar("Urls") is { Length: > 0 } p ? p : GatewaySpecLoader.DefaultProxyUrls,
            admin.Scalar("Urls") is { Length: > 0 } a ? a : GatewaySpecLoader.DefaultAdminUrls,
            proxy.PathOf("Urls"),
            admin.PathOf("Urls"),
            proxyHttps: certificates is not null || gateway.Errors.Count > before, // a bad certificate is its own error, not also the URL's
            gateway.Errors);

        var proxyLimits = ProxyLimitsSpec.Load(proxy.Object("Limits", ProxyLimitsSpec.Keys));
        var kubeconfig = gateway.Object("Kubernetes", KubernetesKeys).FilePath("Kubeconfig", configDirectory);
        var keepContainers = ValidateDocker(gateway.Object("Docker", DockerKeys));
        var keepPods = gateway.Boolean("KeepPodsOnShutdown") ?? keepContainers ?? false; // Docker's own, a deprecated alias
        var process = gateway.Object("Process", ProcessKeys);
        var inherit = process.Boolean("InheritEnvironment") ?? false;
        var privateTmp = process.Boolean("PrivateTmp") ?? true;
        var maxPods = (int)(gateway.Integer("MaxPods", 1, GatewaySpec.MaxPodsLimit) ?? GatewaySpec.DefaultMaxPods);
        var history = (int)(gateway.Integer("TerminatedPodHistory", 0, GatewaySpec.TerminatedPodHistoryLimit) ?? GatewaySpec.DefaultTerminatedPodHistory);
        var stateDirectory = gateway.FilePath("StateDirectory", configDirectory) ?? StateDirectories.Default();
        var accessLog = gateway.Scalar("AccessLog") switch
        {
            null or "" => null,
            var log when string.Equals(log, GatewaySpec.AccessLogToStandardOutput, StringComparison.OrdinalIgnoreCase) => GatewaySpec.AccessLogToStandardOutput,
            _ => gateway.FilePath("AccessLog", configDirectory),
        };
        if (accessLog is not null && accessLog != GatewaySpec.AccessLogToStandardOutput
            && (Directory.Exists(accessLog) || !Directory.Exists(Path.GetDirectoryName(accessLog))))
        {
            gateway.Errors.Add(FieldError.Invalid(gateway.PathOf("AccessLog"), gateway.Scalar("AccessLog"), Directory.Exists(accessLog)
                ? "is a folder: name the file to append to, or \"stdout\""
                : $"its folder {Path.GetDirectoryName(accessLog)} does not exist: create it, or name another file, or \"stdout\""));
            accessLog = null;
        }
        var podNetwork = gateway.Scalar("PodNetwork");
        if (PodNetworkSetting.Problem(podNetwork) is { } podNetworkProblem)
        {
            gateway.Errors.Add(FieldError.Invalid(gateway.PathOf("PodNetwork"), podNetwork, podNetworkProblem));
        }

        var adminAccess = new AdminAccessSpec(admin.FilePath("TokenFile", configDirectory), admin.FilePath("Kubeconfig", configDirectory), AdminHosts(admin));
        return new GatewaySpec(proxyUrls, adminUrls, [])
        {
            Kubeconfig = kubeconfig,
            MaxPods = maxPods,
            TerminatedPodHistory = history,
            StateDirectory = stateDirectory,
            AdminAccess = adminAccess,
            InheritEnvironment = inherit,
            PrivateTmp = privateTmp,
            PodNetwork = podNetwork,
            AccessLog = accessLog,
            ProxyLimits = proxyLimits,
            ProxyCertificates = certificates,
            Logs = LoadLogs(gateway.Object("Logs", LogsKeys)),
            KeepPodsOnShutdown = keepPods,
        };
    }

    /// <summary>
    /// <c>Gateway:Logs</c>, as the kubelet's settings: <c>ContainerLogMaxSize</c> a quantity of bytes
    /// (<c>10Mi</c>, at least 1Ki), <c>ContainerLogMaxFiles</c> at least 2 (the current file and one rotated).
    /// </summary>
    private static ContainerLogSettings LoadLogs(SettingsSection logs)
    {
        var files = (int)(logs.Integer("ContainerLogMaxFiles", 2, MaxContainerLogMaxFiles) ?? ContainerLogSettings.DefaultMaxFiles);
        var size = ContainerLogSettings.DefaultMaxSize;
        if (logs.Scalar("ContainerLogMaxSize") is { Length: > 0 } text)
        {
            if (NameRules.Quantity(text) is { Count: > 0 })
            {
                logs.Errors.Add(FieldError.Invalid(logs.PathOf("ContainerLogMaxSize"), text, "must be a quantity of bytes, e.g. \"10Mi\" or \"500Ki\""));
            }
            else if (new k8s.Models.ResourceQuantity(text).ToDecimal() is var bytes && (bytes < MinContainerLogMaxSize || bytes > long.MaxValue / 2))
            {
                logs.Errors.Add(FieldError.Invalid(logs.PathOf("ContainerLogMaxSize"), text, "must be at least 1Ki (and less than 4Ei)"));
            }
            else
            {
                size = (long)decimal.Ceiling(new k8s.Models.ResourceQuantity(text).ToDecimal());
            }
        }

        return new ContainerLogSettings(size, files);
    }

    /// <summary>The listeners' URLs as Kestrel takes them (trimmed, ';'-joined), checked one by one and against each other.</summary>
    private static (string Proxy, string Admin) LoadListeners(string proxyUrls, string adminUrls, string proxyPath, string adminPath, bool proxyHttps, List<FieldError> errors)
    {
        var proxy = ListenerUrls.Parse(proxyUrls, proxyPath, errors, allowHttps: proxyHttps,
            httpsProblem: $"an https:// proxy URL needs a certificate: set {proxyPath[..^"Urls".Length]}Certificate (Path and KeyPath for PEM, or Path and Password for a PFX)");
        var admin = ListenerUrls.Parse(adminUrls, adminPath, errors, allowHttps: true);
        foreach (var listener in admin)
        {
            if (proxy.FirstOrDefault(p => ListenerUrls.Overlap(p, listener)) is { } taken)
            {
                errors.Add(FieldError.Invalid(adminPath, listener.Url,
                    $"the same port as {proxyPath} ({GoSyntax.Quote(taken.Url)}); give the admin API a port of its own"));
            }
        }

        return (string.Join(';', proxy.Select(l => l.Url)), string.Join(';', admin.Select(l => l.Url)));
    }

    /// <summary>Checks <c>Gateway:Docker</c>; returns its <c>KeepContainersOnShutdown</c> (the deprecated alias of <c>Gateway:KeepPodsOnShutdown</c>).</summary>
    private static bool? ValidateDocker(SettingsSection docker)
    {
        var keep = docker.Boolean("KeepContainersOnShutdown");
        if (docker.Scalar("Endpoint") is { Length: > 0 } endpoint)
        {
            if (DockerEndpointProblem(endpoint) is { } problem)
            {
                docker.Errors.Add(FieldError.Invalid(docker.PathOf("Endpoint"), endpoint, problem));
            }
        }
        else if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && !Uri.TryCreate(host, UriKind.Absolute, out _))
        {
            // The runtime falls back to DOCKER_HOST, which the docker CLI shares (with schemes such as
            // ssh:// that only matter once a Docker service runs): here it only has to be a URL.
            docker.Errors.Add(FieldError.Invalid("DOCKER_HOST", host, $"must be an absolute URL, e.g. \"unix:///var/run/docker.sock\"; fix the environment variable or set {docker.PathOf("Endpoint")}"));
        }

        return keep;
    }

    private static string? DockerEndpointProblem(string endpoint)
    {
        const string example = "e.g. \"unix:///var/run/docker.sock\" or \"tcp://127.0.0.1:2375\"";
        return !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            ? $"must be an absolute URL, {example}"
            : uri.Scheme switch
            {
                "unix" => uri.AbsolutePath.Length > 1 ? null : $"a unix:// endpoint names the engine's socket, {example}",
                "tcp" or "http" => uri.Host.Length > 0 && uri.Port is > 0 and <= 65535 ? null : $"a {uri.Scheme}:// endpoint names a host and a port, {example}",
                _ => $"the scheme must be unix, tcp or http, {example}",
            };
    }

    private static List<string> AdminHosts(SettingsSection admin)
    {
        var hosts = admin.Strings("Hosts");
        foreach (var (path, host) in hosts)
        {
            admin.Errors.AddInvalid(path, host, host.Contains('*', StringComparison.Ordinal)
                ? ["a wildcard would let any web page reach the admin API (DNS rebinding); name each host"]
                : RouteValidator.HostProblems(host));
        }

        return hosts.ConvertAll(h => h.Text);
    }
}
