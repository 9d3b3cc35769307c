using System.Diagnostics.CodeAnalysis;
using Gateway.Routing;
using Gateway.Specs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using Endpoint = Gateway.Routing.Endpoint;

namespace Gateway.Tests.Routing;

public sealed class GatewayProxyConfigProviderTests : IDisposable
{
    private readonly EndpointTable _table = new(new FakeTimeProvider());
    private readonly ServiceCatalog _catalog = new(Spec(Service("web", "/{**catch-all}")));
    private readonly FakeProxyState _proxy = new();
    private readonly ServiceProvider _services;
    private readonly GatewayProxyConfigProvider _provider;

    public GatewayProxyConfigProviderTests()
    {
        _services = new ServiceCollection()
            .AddSingleton<IProxyStateLookup>(_proxy)
            .AddSingleton<IClusterDestinationsUpdater>(_proxy)
            .BuildServiceProvider();
        _provider = new GatewayProxyConfigProvider(_catalog, _table, _services);
    }

    public void Dispose() => _services.Dispose();

    private static ServiceSpec Service(string name, string? path, IReadOnlyList<string>? hosts = null) => new()
    {
        Name = name,
        Route = new RouteSpec(path, hosts ?? []),
        Backend = new StaticBackend([new Uri("http://127.0.0.1:5001")], null),
        ConfigDirectory = "/",
    };

    private static GatewaySpec Spec(params ServiceSpec[] services) => new("", "", services);

    private static Endpoint External(string service, string id, bool serving = true) =>
        new(service, $"pod-{id}", $"{service}/{id}", $"http://10.0.0.{id}:8080", serving, Terminating: false);

    [Fact]
    public void GetConfig_TwoServices_OneRouteAndOneClusterEach()
    {
        _catalog.Update(Spec(Service("web", "/{**catch-all}"), Service("api", null, ["api.example.com"])));

        var config = _provider.GetConfig();

        Assert.Equal([("web", "web", "/{**catch-all}", null), ("api", "api", null, "api.example.com")],
            config.Routes.Select(r => (r.RouteId, r.ClusterId, r.Match.Path, r.Match.Hosts?.Single())));
        Assert.Equal(["web", "api"], config.Clusters.Select(c => c.ClusterId));
        Assert.All(config.Clusters, c => Assert.Equal(ReadyDestinationsPolicy.PolicyName, c.HealthCheck?.AvailableDestinationsPolicy));
    }

    [Fact]
    public void GetConfig_Endpoints_OneDestinationPerEndpointWhateverItsConditions()
    {
        _table.SetServiceEndpoints("web", [External("web", "1"), External("web", "2", serving: false)]);
        _table.SetServiceEndpoints("other", [External("other", "3")]);

        var cluster = _provider.GetConfig().Clusters.Single();

        Assert.Equal([("web/1", "http://10.0.0.1:8080"), ("web/2", "http://10.0.0.2:8080")],
            cluster.Destinations!.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value.Address)));
    }

    [Theory]
    [InlineData(0, "RoundRobin")]
    [InlineData(30, SlowStartPolicy.PolicyName)]
    public void GetConfig_Cluster_CarriesTheServicesSettings(double slowStartSeconds, string policy)
    {
        var retries = new RetrySpec(Attempts: 4, BudgetPercent: 12.5, MinConcurrent: 7, BufferBytes: 1024);
        _catalog.Update(Spec(Service("web", "/") with { SlowStart = TimeSpan.FromSeconds(slowStartSeconds), Retries = retries }));

        var cluster = _provider.GetConfig().Clusters.Single();

        Assert.Equal(policy, cluster.LoadBalancingPolicy);
        Assert.Equal(new ClusterSettings(TimeSpan.FromSeconds(slowStartSeconds), retries), ClusterSettings.Of(cluster));
    }

    [Fact]
    public void DestinationsChanged_ChangeTokenFires_AndTheNextConfigHasTheDestination()
    {
        var before = _provider.GetConfig();

        _table.SetServiceEndpoints("web", [External("web", "1")]);

        Assert.True(before.ChangeToken.HasChanged);
        Assert.False(_provider.GetConfig().ChangeToken.HasChanged);
        Assert.Equal(["web/1"], _provider.GetConfig().Clusters.Single().Destinations!.Keys);
    }

    [Fact]
    public void CatalogChanged_ChangeTokenFires()
    {
        var before = _provider.GetConfig();

        _catalog.Update(Spec(Service("api", "/api")));

        Assert.True(before.ChangeToken.HasChanged);
        Assert.Equal(["api"], _provider.GetConfig().Clusters.Select(c => c.ClusterId));
    }

    [Fact]
    public void ConditionsChanged_KnownCluster_AvailabilityRecomputedWithoutANewConfig()
    {
        _table.SetServiceEndpoints("web", [External("web", "1")]);
        var before = _provider.GetConfig();
        _proxy.Clusters["web"] = new ClusterState("web");

        _table.SetServiceEndpoints("web", [External("web", "1", serving: false)]);

        Assert.Equal(["web"], _proxy.Updated);
        Assert.False(before.ChangeToken.HasChanged);
    }

    [Fact]
    public void ConditionsChanged_ClusterNotYetInYarp_NothingToRecompute()
    {
        _table.SetServiceEndpoints("web", [External("web", "1")]);

        _table.SetServiceEndpoints("web", [External("web", "1", serving: false)]);

        Assert.Empty(_proxy.Updated);
    }

    /// <summary>YARP's runtime state, as far as the provider uses it: finds clusters, records availability updates.</summary>
    private sealed class FakeProxyState : IProxyStateLookup, IClusterDestinationsUpdater
    {
        public Dictionary<string, ClusterState> Clusters { get; } = new(StringComparer.Ordinal);

        public List<string> Updated { get; } = [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => Clusters.TryGetValue(id, out cluster);

        public IEnumerable<ClusterState> GetClusters() => Clusters.Values;

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }

        public IEnumerable<RouteModel> GetRoutes() => [];

        public void UpdateAvailableDestinations(ClusterState cluster) => Updated.Add(cluster.ClusterId);

        public void UpdateAllDestinations(ClusterState cluster) => Updated.Add(cluster.ClusterId);
    }
}
