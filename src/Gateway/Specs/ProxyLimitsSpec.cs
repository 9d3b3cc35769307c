namespace Gateway.Specs;

/// <summary>
/// <c>Gateway:Proxy:Limits</c>: how large a client's request may be on the proxy listener, as
/// Kestrel bounds it (the admin listener keeps its own). The defaults are Kestrel's own, written
/// here once so that they are documented and shown. Past a limit the gateway answers as Kestrel does
/// (413 for a body, 431 for the headers, 414 for an HTTP/1.1 request line; on HTTP/2 a too long
/// <c>:path</c> resets the stream). Read at start: Kestrel takes its limits once.
/// </summary>
/// <param name="MaxRequestBodySize">Bytes of a request body; a longer one is answered 413 (WebSocket and other upgraded streams are not bounded).</param>
/// <param name="MaxRequestHeadersTotalSize">Bytes of all request headers together; more is answered 431.</param>
/// <param name="MaxRequestHeaderCount">Request headers; more is answered 431.</param>
/// <param name="MaxRequestLineSize">Bytes of an HTTP/1.1 request line (method, target, version), a longer one answered 414; on HTTP/2 the <c>:path</c>'s.</param>
public sealed record ProxyLimitsSpec(long MaxRequestBodySize, int MaxRequestHeadersTotalSize, int MaxRequestHeaderCount, int MaxRequestLineSize)
{
    /// <summary>The fields of <c>Gateway:Proxy:Limits</c>.</summary>
    public static readonly string[] Keys = ["MaxRequestBodySize", "MaxRequestHeadersTotalSize", "MaxRequestHeaderCount", "MaxRequestLineSize"];

    /// <summary>Kestrel's defaults: 30,000,000 bytes of body, 32 KiB of headers, 100 headers, an 8 KiB request line.</summary>
    public static readonly ProxyLimitsSpec Default = new(30_000_000, 32 * 1024, 100, 8 * 1024);

    /// <summary>The largest body limit: 1 TiB (beyond it, a body is a stream that needs no limit of this kind).</summary>
    public const long MaxBodyLimit = 1L << 40;

    /// <summary>
    /// The largest header and request-line limits: Kestrel's request buffer (1 MiB), which must hold
    /// them; Kestrel refuses to start with a larger one.
    /// </summary>
    public const int MaxHeaderLimit = 1024 * 1024;

    /// <summary>The most headers a request may be allowed.</summary>
    public const int MaxHeaderCountLimit = 10_000;

    /// <summary>The limits in <paramref name="limits"/> (the <c>Limits</c> object), each unset one at its default; a bad one is an error naming it.</summary>
    internal static ProxyLimitsSpec Load(SettingsSection limits) => new(
        limits.Integer("MaxRequestBodySize", 1, MaxBodyLimit) ?? Default.MaxRequestBodySize,
        (int)(limits.Integer("MaxRequestHeadersTotalSize", 1, MaxHeaderLimit) ?? Default.MaxRequestHeadersTotalSize),
        (int)(limits.Integer("MaxRequestHeaderCount", 1, MaxHeaderCountLimit) ?? Default.MaxRequestHeaderCount),
        (int)(limits.Integer("MaxRequestLineSize", 1, MaxHeaderLimit) ?? Default.MaxRequestLineSize));
}
