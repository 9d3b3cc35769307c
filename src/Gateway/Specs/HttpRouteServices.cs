namespace Gateway.Specs;

/// <summary>
/// Where HTTPRoutes meet the services: a service's <c>Route</c> in HTTPRoute form, and, once all
/// services are read, the services that routes send to. A service that gave no <c>Route</c> and is
/// named by a route's backendRefs gets no route of its own (it would otherwise take every request,
/// the default); a backendRef naming no service is an error.
/// </summary>
internal static class HttpRouteServices
{
    /// <summary>The service's route when <c>Route</c> is in HTTPRoute form (<c>HTTPRoute</c>, <c>Matches</c>, <c>Filters</c>, <c>BackendRefs</c>); null for the <c>Path</c>/<c>Hosts</c> form.</summary>
    public static RouteSpec? LoadRoute(SettingsSection service, string configDirectory, List<string> routeFiles)
    {
        var section = service.Configuration.GetSection("Route");
        bool Has(string key) => section.GetSection(key).Exists();
        if (!Has("HTTPRoute") && !HttpRouteLoader.RuleKeys.Any(Has))
        {
            return null;
        }

        var route = service.Object("Route", ["Path", "Hosts", "HTTPRoute", .. HttpRouteLoader.RuleKeys]);
        if (Has("HTTPRoute"))
        {
            foreach (var other in section.GetChildren().Where(c => !string.Equals(c.Key, "HTTPRoute", StringComparison.OrdinalIgnoreCase)))
            {
                route.Errors.Add(FieldError.Invalid(route.PathOf(other.Key), other.Value ?? "", "Route:HTTPRoute names the whole route: put hostnames, matches and filters in the file"));
            }

            var file = HttpRouteLoader.FromServiceFile(route, service.Key, configDirectory, routeFiles);
            return new RouteSpec(null, file?.Hostnames ?? []) { HttpRoute = file };
        }

        if (Has("Path"))
        {
            route.Errors.Add(FieldError.Invalid(route.PathOf("Path"), route.Scalar("Path") ?? "", "Path is a YARP route pattern, Matches are HTTPRoute matches: give the path as Matches[].Path { Type, Value } instead"));
        }

        var hosts = new List<string>();
        foreach (var (hostPath, host) in route.Strings("Hosts"))
        {
            var problems = RouteValidator.HostProblems(host);
            route.Errors.AddInvalid(hostPath, host, problems);
            if (problems.Count == 0)
            {
                hosts.Add(host);
            }
        }

        return new RouteSpec(null, hosts) { HttpRoute = HttpRouteLoader.FromSettings(route, service.Key, hosts) };
    }

    /// <summary>
    /// The services with routes resolved against each other and <paramref name="gatewayRoutes"/>:
    /// implicit routes of routed-to services dropped (also from <paramref name="legacyRoutes"/>,
    /// compared for conflicts next), unknown backendRefs reported.
    /// </summary>
    public static List<ServiceSpec> Resolve(SettingsSection gateway, List<ServiceSpec> services, IReadOnlyList<HttpRouteSpec>? gatewayRoutes, List<(string Service, RouteSpec Route)> legacyRoutes)
    {
        var names = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var routedTo = new HashSet<string>(StringComparer.Ordinal);
        void Note(HttpRouteSpec route, string? self)
        {
            foreach (var rule in route.Rules)
            {
                routedTo.UnionWith(rule.Backends.Select(b => b.Service).Concat(rule.Filters.Mirrors).Where(n => n != self));
            }
        }

        foreach (var service in services)
        {
            if (service.Route.HttpRoute is { } own)
            {
                Note(own, service.Name);
                gateway.Errors.AddRange(HttpRouteLoader.UnknownBackends($"{gateway.PathOf("Services")}:{service.Name}:Route", own, names));
            }
        }

        if (gatewayRoutes is null)
        {
            legacyRoutes.RemoveAll(r => r.Route.IsImplicit);
        }

        foreach (var route in gatewayRoutes ?? [])
        {
            Note(route, null);
            gateway.Errors.AddRange(HttpRouteLoader.UnknownBackends(gateway.PathOf("Routes"), route, names));
        }

        legacyRoutes.RemoveAll(r => r.Route.IsImplicit && routedTo.Contains(r.Service));
        return services.ConvertAll(s => s.Route.IsImplicit && routedTo.Contains(s.Name) ? s with { Route = RouteSpec.None } : s);
    }
}
