namespace Gateway.Specs;

/// <summary>How the gateway speaks to a service's pods (<c>Protocol</c>).</summary>
public enum BackendProtocol
{
    /// <summary>HTTP/1.1 (the default): what a client's HTTP/2 request becomes on the way to the pod too.</summary>
    Http,

    /// <summary>HTTP/2 over cleartext with prior knowledge, for backends that speak only HTTP/2.</summary>
    H2c,

    /// <summary>gRPC: h2c, and a service with no ready pod answers gRPC's <c>UNAVAILABLE</c> rather than an HTTP 503.</summary>
    Grpc,

    /// <summary>HTTP/1.1 or HTTP/2 over TLS (by ALPN), the pods' certificate checked against <c>BackendTls</c>.</summary>
    Https,
}

/// <summary>Reading <c>Protocol</c>, and what a pod template says when it is not set.</summary>
public static class BackendProtocols
{
    /// <summary>The values <c>Protocol</c> takes, as written in settings.</summary>
    public static readonly string[] Names = ["http", "h2c", "grpc", "https"];

    /// <summary>The protocol <paramref name="text"/> names, ignoring case; null when it names none.</summary>
    public static BackendProtocol? Parse(string text) => text?.ToLowerInvariant() switch
    {
        "http" => BackendProtocol.Http,
        "h2c" => BackendProtocol.H2c,
        "grpc" => BackendProtocol.Grpc,
        "https" => BackendProtocol.Https,
        _ => null,
    };

    /// <summary>The scheme of the pods' addresses.</summary>
    public static string Scheme(this BackendProtocol protocol) => protocol is BackendProtocol.Https ? "https" : "http";

    /// <summary>Whether requests to the pods go as HTTP/2.</summary>
    public static bool IsHttp2(this BackendProtocol protocol) => protocol is BackendProtocol.H2c or BackendProtocol.Grpc;

    /// <summary>
    /// Kubernetes' conventions where <c>Protocol</c> is not set: the routed port's name
    /// (<c>grpc</c> or <c>h2c</c>, as Istio and Linkerd read port names, with an optional
    /// <c>-suffix</c>), and a Service port's <c>appProtocol</c> (<c>kubernetes.io/h2c</c>,
    /// <c>grpc</c>), which wins over the name. Anything else is HTTP/1.1.
    /// </summary>
    public static BackendProtocol Infer(string? portName, string? appProtocol = null)
    {
        switch (appProtocol?.ToLowerInvariant())
        {
            case "kubernetes.io/h2c" or "h2c":
                return BackendProtocol.H2c;
            case "grpc" or "kubernetes.io/grpc":
                return BackendProtocol.Grpc;
            case { Length: > 0 }:
                return BackendProtocol.Http;
        }

        var prefix = portName?.Split('-', 2)[0].ToLowerInvariant();
        return prefix switch
        {
            "grpc" => BackendProtocol.Grpc,
            "h2c" => BackendProtocol.H2c,
            _ => BackendProtocol.Http,
        };
    }

    /// <summary>What a pods backend's routed port says: its Service's target (name and <c>appProtocol</c>), else the first declared port's name.</summary>
    public static BackendProtocol Infer(PodsBackend pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (pods.RouteTarget is { } target)
        {
            return Infer(target.PortName, target.AppProtocol);
        }

        return Infer(pods.PodSpec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault()?.Name);
    }
}
