using System.Globalization;

namespace Gateway.Specs;

/// <summary>
/// The services of <c>Gateway:Services</c>: each one's route, runtime, retries and slow start, and
/// the backend its runtime names; then what no service can see alone (two routes that claim the same
/// requests, two manifests that name the same pod).
/// </summary>
internal static class ServiceLoader
{
    private static readonly string[] ServiceKeys = ["Route", "Runtime", "Protocol", "Timeouts", "Outlier", "Retries", "SlowStartSeconds", "DependsOn", "BackendTls", .. BackendKeys.All];
    private static readonly string[] RouteKeys = ["Path", "Hosts", "HTTPRoute", .. HttpRouteLoader.RuleKeys];
    private static readonly string[] RetryKeys = ["Attempts", "BudgetPercent", "MinConcurrent", "BufferBytes"];

    /// <summary>
    /// The valid services under <paramref name="gateway"/>; a service with any error is left out, and
    /// its errors say why. <paramref name="gatewayRoutes"/>: the routes of <c>Gateway:Routes</c>, null when
    /// some could not be read (and then services without a Route are not compared, for their conflict may be no more than that).
    /// </summary>
    public static List<ServiceSpec> LoadAll(SettingsSection gateway, string configDirectory, IReadOnlyList<HttpRouteSpec>? gatewayRoutes = null)
    {
        var sections = gateway.Object("Services", known: null).Children().ToList();
        if (sections.Count > 0 && sections.All(s => int.TryParse(s.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            // A JSON list arrives keyed 0, 1, ...: services are named by their keys instead.
            gateway.Errors.Add(FieldError.InvalidOmitValue(gateway.PathOf("Services"), "must be an object of services by name, e.g. { \"web\": { ... } }, not a list"));
            sections.Clear();
        }

        // Routes are compared even for services with other errors, so that one round of fixes is enough.
        var routes = new List<(string Service, RouteSpec Route)>();
        var services = new List<ServiceSpec>();
        var names = sections.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // What a dependency may name: every service written out, loaded or not (its errors are
        // reported already), and those a compose entry stands for, but not the entry's own name.
        var dependable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var loaded = Load(section, configDirectory, names, routes);
            services.AddRange(loaded);
            if (loaded.Count == 0 || loaded.Any(s => s.Name == section.Key))
            {
                dependable.Add(section.Key);
            }

            dependable.UnionWith(loaded.Select(s => s.Name));
        }

        var podNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (service.Pods?.PodName is { } podName && !podNames.Add(podName))
            {
                gateway.Errors.Add(FieldError.Duplicate($"{gateway.PathOf("Services")}:{service.Name}", podName, "another service's manifest names the same pod"));
            }
        }

        services = HttpRouteServices.Resolve(gateway, services, gatewayRoutes, routes);
        gateway.Errors.AddRange(RouteValidator.Conflicts(routes));
        gateway.Errors.AddRange(DependsOnLoader.Validate(services, dependable, gateway.PathOf("Services")));
        return services;
    }

    /// <summary>The service, or the services of the compose file the entry names; none when it has errors.</summary>
    private static List<ServiceSpec> Load(SettingsSection service, string configDirectory, IReadOnlySet<string> names, List<(string Service, RouteSpec Route)> routes)
    {
        try
        {
            if (ComposeEntries.Expand is { } expand && service.Has("Compose"))
            {
                return expand(service, configDirectory, names, s => LoadFields(s, configDirectory, routes));
            }

            return LoadFields(service, configDirectory, routes) is { } spec ? [spec] : [];
        }
#pragma warning disable CA1031 // One service's unforeseen failure is that service's error; the others are still read.
        catch (Exception e)
#pragma warning restore CA1031
        {
            service.Errors.Add(FieldError.Internal(service.Path, e));
            return [];
        }
    }

    private static ServiceSpec? LoadFields(SettingsSection service, string configDirectory, List<(string Service, RouteSpec Route)> routes)
    {
        var errors = service.Errors;
        var before = errors.Count;
        var name = service.Key;
        if (NameRules.Dns1123Label(name).Count > 0)
        {
            errors.Add(FieldError.Invalid(service.Path, name, "a service name must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters), because pod names are made from it"));
        }

        if (service.Value is { Length: > 0 } value)
        {
            errors.Add(FieldError.Invalid(service.Path, value, "must be an object: a service's Route, Runtime, Replicas and Template or Manifest"));
            return null;
        }

        service.RefuseUnknownKeys(ServiceKeys);
        var beforeRoute = errors.Count;
        var routeFiles = new List<string>();

        // A Job runs to completion and answers no requests unless it names a route.
        var unrouted = JobLoader.IsSet(service) && !service.Has("Route");
        var route = unrouted ? RouteSpec.None : HttpRouteServices.LoadRoute(service, configDirectory, routeFiles) ?? LoadRoute(service.Object("Route", RouteKeys));
        if (errors.Count == beforeRoute && !unrouted && route.HttpRoute is null)
        {
            routes.Add((name, route));
        }

        var kind = LoadKind(service);
        var retries = LoadRetries(service.Object("Retries", RetryKeys));
        var slowStart = TimeSpan.FromSeconds(service.Real("SlowStartSeconds", 0, ServiceSpec.MaxSlowStartSeconds) ?? 0);
        var protocol = LoadProtocol(service);
        var timeouts = LoadTimeouts(service.Object("Timeouts", TimeoutsSpec.Keys));
        var outlier = LoadOutlier(service.Object("Outlier", OutlierSpec.Keys));
        var dependsOn = DependsOnLoader.Load(service);
        var backendTls = BackendTlsSpec.Load(service, configDirectory, protocol);
        BackendKeys.RefuseOthers(service, kind);
        List<string> sourceFiles = [];
        BackendSpec? backend = kind switch
        {
            BackendKind.Kubernetes => ClusterBackendLoader.Load(service),
            BackendKind.Static => StaticBackendLoader.Load(service),
            BackendKind.Docker => PodsBackendLoader.Load(service, RuntimeKind.Docker, configDirectory, out sourceFiles),
            _ => PodsBackendLoader.Load(service, RuntimeKind.Process, configDirectory, out sourceFiles),
        };
        return errors.Count != before || backend is null ? null : new ServiceSpec
        {
            Name = name,
            Route = route,
            Backend = backend,
            ConfigDirectory = configDirectory,
            Retries = retries,
            SlowStart = slowStart,
            Timeouts = timeouts,
            Outlier = outlier,
            Protocol = protocol ?? (backend is PodsBackend pods ? BackendProtocols.Infer(pods) : BackendProtocol.Http),
            SourceFiles = [.. sourceFiles, .. routeFiles, .. backendTls.CaFile is { } ca ? [ca] : Array.Empty<string>()],
            BackendTls = backendTls,
            DependsOn = dependsOn,
        };
    }

    /// <summary><c>Protocol</c> when set; null leaves it to the pod template's conventions.</summary>
    private static BackendProtocol? LoadProtocol(SettingsSection service)
    {
        if (service.Scalar("Protocol") is not { Length: > 0 } text)
        {
            return null;
        }

        if (BackendProtocols.Parse(text) is { } protocol)
        {
            return protocol;
        }

        service.Errors.Add(FieldError.NotSupported(service.PathOf("Protocol"), text, BackendProtocols.Names));
        return null;
    }

    /// <summary>The backend kind <c>Runtime</c> names, ignoring case; Process when it is unset or wrong (and then an error says why).</summary>
    private static BackendKind LoadKind(SettingsSection service)
    {
        if (service.Scalar("Runtime") is not { Length: > 0 } text)
        {
            return BackendKind.Process;
        }

        // Enum.TryParse would take "7" too.
        var names = Enum.GetNames<BackendKind>();
        if (names.FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } known)
        {
            return Enum.Parse<BackendKind>(known);
        }

        service.Errors.Add(FieldError.NotSupported(service.PathOf("Runtime"), text, names));
        return BackendKind.Process;
    }

    private static RouteSpec LoadRoute(SettingsSection route)
    {
        var path = route.Scalar("Path");
        var hosts = route.Strings("Hosts");
        foreach (var (hostPath, host) in hosts)
        {
            route.Errors.AddInvalid(hostPath, host, RouteValidator.HostProblems(host));
        }

        if (string.IsNullOrEmpty(path) && hosts.Count == 0)
        {
            return new RouteSpec(RouteValidator.CatchAll, []) { IsImplicit = !route.Configuration.Exists() };
        }
        else if (path is { Length: > 0 } && RouteValidator.ValidatePath(path, route.PathOf("Path")) is { } error)
        {
            route.Errors.Add(error);
        }

        return new RouteSpec(string.IsNullOrEmpty(path) ? null : path, hosts.ConvertAll(host => host.Text));
    }

    /// <summary><c>Timeouts</c>: each a Gateway API duration up to a day; <c>0s</c> turns Request or BackendRequest off; BackendRequest no longer than Request.</summary>
    private static TimeoutsSpec LoadTimeouts(SettingsSection timeouts)
    {
        var d = TimeoutsSpec.Default;
        TimeSpan? Read(string key, bool zeroIsOff, string? text)
        {
            if (text is not { Length: > 0 })
            {
                return null;
            }

            var path = timeouts.PathOf(key);
            if (GatewayDuration.Parse(text) is not { } value)
            {
                timeouts.Errors.Add(FieldError.Invalid(path, text, GatewayDuration.Expected));
                return null;
            }

            if (value > TimeoutsSpec.Max || (!zeroIsOff && value == TimeSpan.Zero))
            {
                timeouts.Errors.Add(FieldError.Invalid(path, text, zeroIsOff ? "must be at most 24h (0s turns it off)" : "must be more than 0s and at most 24h"));
                return null;
            }

            return value;
        }

        var requestValue = timeouts.Scalar("Request");
        var requestText = requestValue is { Length: > 0 };
        var request = Read("Request", zeroIsOff: true, requestValue);
        var backend = Read("BackendRequest", zeroIsOff: true, timeouts.Scalar("BackendRequest"));
        var idle = Read("Idle", zeroIsOff: false, timeouts.Scalar("Idle")) ?? d.Idle;
        var connect = Read("Connect", zeroIsOff: false, timeouts.Scalar("Connect")) ?? d.Connect;
        var effectiveRequest = requestText ? (request == TimeSpan.Zero ? null : request) : d.Request;
        var effectiveBackend = backend == TimeSpan.Zero ? null : backend;
        if (effectiveBackend is { } b && effectiveRequest is { } r && b > r)
        {
            timeouts.Errors.Add(FieldError.Invalid(timeouts.PathOf("BackendRequest"), GatewayDuration.Format(b),
                $"must not be longer than Request ({GatewayDuration.Format(r)}): an attempt cannot outlast the request it is part of"));
        }

        return new TimeoutsSpec(effectiveRequest, requestText, effectiveBackend, idle, connect);
    }

    /// <summary><c>Outlier</c>: counts from 0 (that trigger off), a base ejection time as a Gateway API duration from 1ms to 1h, a percent, and a switch.</summary>
    private static OutlierSpec LoadOutlier(SettingsSection outlier)
    {
        var d = OutlierSpec.Default;
        var baseTime = d.BaseEjectionTime;
        if (outlier.Scalar("BaseEjectionTime") is { Length: > 0 } text)
        {
            var path = outlier.PathOf("BaseEjectionTime");
            if (GatewayDuration.Parse(text) is not { } value)
            {
                outlier.Errors.Add(FieldError.Invalid(path, text, GatewayDuration.Expected));
            }
            else if (value <= TimeSpan.Zero || value > OutlierSpec.MaxBaseEjectionTime)
            {
                outlier.Errors.Add(FieldError.Invalid(path, text, "must be more than 0s and at most 1h (set Enabled to false to turn ejection off)"));
            }
            else
            {
                baseTime = value;
            }
        }

        return new OutlierSpec(
            (int)(outlier.Integer("Consecutive5xx", 0, OutlierSpec.MaxConsecutive) ?? d.Consecutive5xx),
            (int)(outlier.Integer("ConsecutiveGatewayFailures", 0, OutlierSpec.MaxConsecutive) ?? d.ConsecutiveGatewayFailures),
            baseTime,
            (int)(outlier.Integer("MaxEjectionPercent", 0, 100) ?? d.MaxEjectionPercent),
            outlier.Boolean("Enabled") ?? d.Enabled);
    }

    private static RetrySpec LoadRetries(SettingsSection retries)
    {
        var d = RetrySpec.Default;
        return new RetrySpec(
            (int)(retries.Integer("Attempts", 0, RetrySpec.MaxAttempts) ?? d.Attempts),
            retries.Real("BudgetPercent", 0, 100) ?? d.BudgetPercent,
            (int)(retries.Integer("MinConcurrent", 0, RetrySpec.MaxMinConcurrent) ?? d.MinConcurrent),
            (int)(retries.Integer("BufferBytes", 0, RetrySpec.MaxBufferBytes) ?? d.BufferBytes));
    }
}
