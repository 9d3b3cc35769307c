using Gateway.Specs;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Gateway.Routing;

/// <summary>
/// YARP's configuration, made from the services and their endpoints: one route and one cluster per
/// service, one destination per running pod instance. Destinations of terminating pods stay until
/// the pod is gone, so their in-flight requests are counted and finish. Each cluster carries its
/// service's routing settings (<see cref="ClusterSettings"/>) in its metadata.
/// </summary>
internal sealed class GatewayProxyConfigProvider : IProxyConfigProvider
{
    private readonly EndpointTable _endpoints;
    private readonly IServiceProvider _services;
    private readonly Lock _lock = new();
    private readonly ServiceCatalog _catalog;
    private volatile Snapshot _current;

    public GatewayProxyConfigProvider(ServiceCatalog catalog, EndpointTable endpoints, IServiceProvider services)
    {
        _catalog = catalog;
        _endpoints = endpoints;
        _services = services;
        _current = Build();
        catalog.Changed += _ => Publish();
        endpoints.DestinationsChanged += _ => Publish();
        endpoints.ConditionsChanged += UpdateAvailability;
    }

    public IProxyConfig GetConfig() => _current;

    private void Publish()
    {
        Snapshot previous;
        lock (_lock)
        {
            previous = _current;
            _current = Build();
        }

        previous.SignalChange();
    }

    private void UpdateAvailability(string service)
    {
        // Resolved lazily: YARP's state is built after this provider.
        var lookup = _services.GetRequiredService<IProxyStateLookup>();
        if (lookup.TryGetCluster(service, out var cluster))
        {
            _services.GetRequiredService<IClusterDestinationsUpdater>().UpdateAvailableDestinations(cluster);
        }
    }

    /// <summary>
    /// How YARP sends to the service's pods: its idle timeout (YARP's activity timeout), and for an
    /// h2c backend HTTP/2 exactly. On an <c>http://</c> address .NET's handler then opens the
    /// connection with the HTTP/2 preface, as a gRPC client does; with YARP's default (2.0 or lower)
    /// it would speak HTTP/1.1, which an HTTP/2-only server refuses.
    /// </summary>
    private static ForwarderRequestConfig RequestConfig(ServiceSpec service) => service.Protocol.IsHttp2()
        ? new() { ActivityTimeout = service.Timeouts.Idle, Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact }
        : new() { ActivityTimeout = service.Timeouts.Idle };

    /// <summary>A pod's address with the service's scheme: https for <c>Protocol: https</c>.</summary>
    private static string Address(ServiceSpec service, string address) =>
        service.Protocol is BackendProtocol.Https && address.StartsWith("http://", StringComparison.Ordinal) ? "https://" + address["http://".Length..] : address;

    private Snapshot Build()
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var spec = _catalog.Current;
        foreach (var service in spec.Services)
        {
            if (service.Route is { HttpRoute: null, IsNone: false })
            {
                routes.Add(new RouteConfig
                {
                    RouteId = service.Name,
                    ClusterId = service.Name,
                    Match = new RouteMatch
                    {
                        Path = service.Route.Path,
                        Hosts = service.Route.Hosts.Count > 0 ? [.. service.Route.Hosts] : null,
                    },
                });
            }

            var metadata = ClusterSettings.From(service).ToMetadata();
            BackendTlsMetadata.AddTo(metadata, service.BackendTls);
            clusters.Add(new ClusterConfig
            {
                ClusterId = service.Name,
                LoadBalancingPolicy = service.SlowStart > TimeSpan.Zero ? SlowStartPolicy.PolicyName : Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin,
                HealthCheck = new HealthCheckConfig { AvailableDestinationsPolicy = ReadyDestinationsPolicy.PolicyName },
                Metadata = metadata,
                HttpRequest = RequestConfig(service),
                HttpClient = service.BackendTls.InsecureSkipVerify ? new HttpClientConfig { DangerousAcceptAnyServerCertificate = true } : null,
                Destinations = _endpoints.ForService(service.Name)
                    .ToDictionary(e => e.DestinationId, e => new DestinationConfig { Address = Address(service, e.Address) }, StringComparer.OrdinalIgnoreCase),
            });
        }

        // HTTPRoute rules: a service's own (route ids "service:<name>/<rule>/<match>") and Gateway:Routes ("route:...").
        var httpRoutes = spec.Services.Where(s => s.Route.HttpRoute is not null).Select(s => ("service:", s.Route.HttpRoute!))
            .Concat(spec.Routes.Select(r => ("route:", r)));
        foreach (var (config, compiled) in HttpRouteTranslator.Translate(httpRoutes))
        {
            CompiledRoute.Attach(config, compiled);
            routes.Add(config);
        }

        if (routes.Any(r => r.ClusterId == HttpRouteTranslator.NoBackendCluster))
        {
            clusters.Add(new ClusterConfig { ClusterId = HttpRouteTranslator.NoBackendCluster });
        }

        return new Snapshot(routes, clusters);
    }

    // The token source lives as long as the snapshot; YARP only observes it.
#pragma warning disable CA1001
    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public IReadOnlyList<RouteConfig> Routes => routes;

        public IReadOnlyList<ClusterConfig> Clusters => clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();
    }
#pragma warning restore CA1001
}
