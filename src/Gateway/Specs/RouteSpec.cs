namespace Gateway.Specs;

/// <summary>Which requests a service receives: a path pattern (YARP route syntax) and/or host names.</summary>
public sealed record RouteSpec(string? Path, IReadOnlyList<string> Hosts);
