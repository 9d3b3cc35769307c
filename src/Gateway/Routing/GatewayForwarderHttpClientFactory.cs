using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>
/// YARP's forwarder client as YARP configures it, but, when no trace is exported, without an
/// activity-headers propagator: there is no span of the gateway's to propagate, and the handler
/// would otherwise take every request through .NET's diagnostics handler to re-inject the caller's
/// trace headers. Those headers reach the backend anyway, copied with the others.
/// </summary>
internal sealed class GatewayForwarderHttpClientFactory(bool tracesExported) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (!tracesExported)
        {
            handler.ActivityHeadersPropagator = null;
        }
    }
}
