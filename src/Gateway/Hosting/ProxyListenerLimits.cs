using Gateway.Specs;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary><c>Gateway:Proxy:Limits</c> put on the proxy listener's Kestrel (the admin listener is another server, with limits of its own).</summary>
internal static class ProxyListenerLimits
{
    public static void Apply(ProxyLimitsSpec spec, KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = spec.MaxRequestBodySize;
        limits.MaxRequestHeadersTotalSize = spec.MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = spec.MaxRequestHeaderCount;
        limits.MaxRequestLineSize = spec.MaxRequestLineSize;
    }
}
