namespace Gateway.Specs;

/// <summary>
/// Which requests a service receives: a path pattern (YARP route syntax) and/or host names, or
/// HTTPRoute rules (<see cref="HttpRoute"/>: <c>Route:Matches</c> or <c>Route:HTTPRoute</c>), which
/// may send to other services too. <see cref="None"/>: the service has no route of its own (another
/// route, from <c>Gateway:Routes</c>, names it).
/// </summary>
public sealed record RouteSpec(string? Path, IReadOnlyList<string> Hosts)
{
    /// <summary>No route of the service's own.</summary>
    public static readonly RouteSpec None = new(null, []) { IsNone = true };

    /// <summary>The service's HTTPRoute rules; null for the <c>Path</c>/<c>Hosts</c> form.</summary>
    public HttpRouteSpec? HttpRoute { get; init; }

    public bool IsNone { get; init; }

    /// <summary>Whether the service gave no <c>Route</c> (every request); such a service named by another route gets <see cref="None"/> instead.</summary>
    public bool IsImplicit { get; init; }
}
