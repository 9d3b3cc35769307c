using Gateway.Routing;
using Gateway.Specs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Endpoint = Gateway.Routing.Endpoint;

namespace Gateway.Tests.Routing;

/// <summary>The YARP config of services with HTTPRoute rules, Gateway:Routes, no route of their own, and https backends.</summary>
public sealed class HttpRouteConfigTests : IDisposable
{
    private readonly EndpointTable _table = new(new FakeTimeProvider());
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private static ServiceSpec Service(string name, RouteSpec route) => new()
    {
        Name = name,
        Route = route,
        Backend = new StaticBackend([new Uri("http://127.0.0.1:5001")], null),
        ConfigDirectory = "/",
    };

    [Fact]
    public void GetConfig_HttpRouteRulesBecomeOrderedRoutes_ServicesWithoutARouteGetNone()
    {
        var own = new HttpRouteSpec("web", [], [new HttpRouteRule([new HttpRouteMatch(new PathMatch(PathMatchKind.Exact, "/a"), [], [], null)], RouteFilters.None, [new BackendRef("web")])]);
        var canary = new HttpRouteSpec("canary", [], [
            new HttpRouteRule([HttpRouteMatch.Everything], RouteFilters.None, [new BackendRef("web", 90), new BackendRef("web-canary", 10)]),
            new HttpRouteRule([new HttpRouteMatch(new PathMatch(PathMatchKind.PathPrefix, "/moved"), [], [], null)], RouteFilters.None with { Redirect = new RequestRedirect("https", null, null, null) }, []),
        ]);
        var spec = new GatewaySpec("", "", [
            Service("web", new RouteSpec(null, []) { HttpRoute = own }),
            Service("web-canary", RouteSpec.None),
            Service("legacy", new RouteSpec("/legacy/{**rest}", [])),
        ]) { Routes = [canary] };

        var config = new GatewayProxyConfigProvider(new ServiceCatalog(spec), _table, _services).GetConfig();

        Assert.Equal(
            [("legacy", "legacy", "/legacy/{**rest}", null), ("service:web/0/0", "web", "/a", -3), ("route:canary/1/0", HttpRouteTranslator.NoBackendCluster, "/moved/{**gwrest}", -2), ("route:canary/0/0", "web", "/{**gwrest}", -1)],
            config.Routes.Select(r => (r.RouteId, r.ClusterId, r.Match.Path, r.Order)));
        Assert.Equal(["web", "web-canary", "legacy", HttpRouteTranslator.NoBackendCluster], config.Clusters.Select(c => c.ClusterId));
        Assert.Equal(["web", "web-canary"], CompiledRoute.Of(config.Routes[3])!.Backends);
    }

    [Fact]
    public void GetConfig_HttpsBackend_HttpsAddressesAndTheCaInTheClustersMetadata()
    {
        var web = Service("web", new RouteSpec("/{**catch-all}", [])) with
        {
            Protocol = BackendProtocol.Https,
            BackendTls = new BackendTlsSpec("/tls/ca.pem", false, "web.internal") { CaFingerprint = "AB" },
        };
        _table.SetServiceEndpoints("web", [new Endpoint("web", "pod-1", "web/1", "http://10.0.0.1:8443", true, Terminating: false)]);

        var cluster = Assert.Single(new GatewayProxyConfigProvider(new ServiceCatalog(new GatewaySpec("", "", [web])), _table, _services).GetConfig().Clusters);

        Assert.Equal("https://10.0.0.1:8443", cluster.Destinations!["web/1"].Address);
        Assert.Equal("/tls/ca.pem", cluster.Metadata![BackendTlsMetadata.CaFileKey]);
        Assert.Equal("web.internal", cluster.Metadata[BackendTlsMetadata.ServerNameKey]);
        Assert.False(BackendTlsMetadata.Same(cluster.Metadata, cluster.Metadata.Where(p => p.Key != BackendTlsMetadata.CaFingerprintKey).ToDictionary()));
    }
}
