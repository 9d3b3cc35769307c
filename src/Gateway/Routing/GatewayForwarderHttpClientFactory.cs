using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>
/// YARP's forwarder client as YARP configures it, but, when no trace is exported, without an
/// activity-headers propagator: there is no span of the gateway's to propagate, and the handler
/// would otherwise take every request through .NET's diagnostics handler to re-inject the caller's
/// trace headers. Those headers reach the backend anyway, copied with the others. Each service's
/// client has the service's connect timeout (<c>Timeouts:Connect</c>, carried in its cluster's
/// metadata); a changed one makes a new client, as a changed client config does.
/// </summary>
internal sealed class GatewayForwarderHttpClientFactory(bool tracesExported) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ClusterSettings.ConnectTimeout(context.NewMetadata);
        BackendTlsMetadata.Configure(handler, context.NewMetadata);
        // A pod IP's connections are made in the pod's network namespace; others as the handler makes them.
        handler.ConnectCallback = Runtimes.PodNetworks.ConnectCallback;
        if (!tracesExported)
        {
            handler.ActivityHeadersPropagator = null;
        }
    }

    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context) && ClusterSettings.ConnectTimeout(context.OldMetadata) == ClusterSettings.ConnectTimeout(context.NewMetadata)
        && BackendTlsMetadata.Same(context.OldMetadata, context.NewMetadata);
}
