using Gateway.Routing;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Routing;

/// <summary>YARP's per-request objects as the proxy pipeline hands them to the gateway's middleware and policies.</summary>
internal static class Proxy
{
    private static readonly HttpMessageInvoker NoClient = new(new HttpClientHandler());

    /// <summary>A cluster whose config carries <paramref name="settings"/> the way the config provider writes them.</summary>
    public static ClusterState Cluster(ClusterSettings? settings = null, string id = "web") =>
        new(id, new ClusterModel(new ClusterConfig { ClusterId = id, Metadata = (settings ?? new ClusterSettings(TimeSpan.Zero, RetrySpec.Default)).ToMetadata() }, NoClient));

    /// <summary>A request routed to <paramref name="cluster"/>, with <paramref name="available"/> as YARP's availability.</summary>
    public static DefaultHttpContext Request(ClusterState cluster, IReadOnlyList<DestinationState> available, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Set<IReverseProxyFeature>(new Feature
        {
            Route = new RouteModel(new RouteConfig { RouteId = cluster.ClusterId, ClusterId = cluster.ClusterId }, cluster, HttpTransformer.Empty),
            Cluster = cluster.Model,
            AllDestinations = available,
            AvailableDestinations = available,
        });
        return context;
    }

    /// <summary>What the forwarder leaves behind when an attempt failed.</summary>
    public static void Fail(HttpContext context, Exception exception, ForwarderError error = ForwarderError.Request) =>
        context.Features.Set<IForwarderErrorFeature>(new ForwarderErrorFeature(error, exception));

    private sealed class Feature : IReverseProxyFeature
    {
        public required RouteModel Route { get; init; }

        public required ClusterModel Cluster { get; init; }

        public required IReadOnlyList<DestinationState> AllDestinations { get; init; }

        public required IReadOnlyList<DestinationState> AvailableDestinations { get; set; }

        public DestinationState? ProxiedDestination { get; set; }
    }

    private sealed record ForwarderErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;
}
