using System.Diagnostics;

namespace Gateway.Telemetry;

/// <summary>The gateway's own spans (probes; tags on proxied requests), on the <c>Gateway</c> activity source.</summary>
public static class GatewayTracing
{
    public const string SourceName = "Gateway";

    /// <summary>YARP's activity source: one <c>proxy.forwarder</c> span per forwarding attempt.</summary>
    public const string YarpSourceName = "Yarp.ReverseProxy";

    public static readonly ActivitySource Source = new(SourceName);
}
