namespace Gateway.Specs;

/// <summary>How a route's path is matched, as the Gateway API's <c>HTTPPathMatch.type</c> names it.</summary>
public enum PathMatchKind
{
    /// <summary>The whole path, case-sensitive.</summary>
    Exact,

    /// <summary>The path's leading elements (split at '/'), case-sensitive: <c>/api</c> matches <c>/api</c> and <c>/api/v1</c>, not <c>/apis</c>.</summary>
    PathPrefix,

    /// <summary>A .NET regular expression that must match the whole path.</summary>
    RegularExpression,
}

/// <summary>How a header or query parameter value is matched (<c>type</c>).</summary>
public enum ValueMatchKind
{
    Exact,
    RegularExpression,
}

/// <summary>A path match: its kind and value (a prefix is kept without a trailing '/', except the root).</summary>
public sealed record PathMatch(PathMatchKind Kind, string Value)
{
    /// <summary>The Gateway API's default: every path.</summary>
    public static readonly PathMatch Root = new(PathMatchKind.PathPrefix, "/");
}

/// <summary>A header (name without case) or query parameter (name with case) that must have a value.</summary>
public sealed record ValueMatch(string Name, string Value, ValueMatchKind Kind = ValueMatchKind.Exact);

/// <summary>One <c>matches[]</c> entry: every condition must hold.</summary>
public sealed record HttpRouteMatch(PathMatch Path, IReadOnlyList<ValueMatch> Headers, IReadOnlyList<ValueMatch> QueryParams, string? Method)
{
    public static readonly HttpRouteMatch Everything = new(PathMatch.Root, [], [], null);
}

/// <summary>A service a rule sends to, and its share (<c>weight</c>, default 1).</summary>
public sealed record BackendRef(string Service, int Weight = 1);

/// <summary><c>RequestHeaderModifier</c> or <c>ResponseHeaderModifier</c>: headers set, added and removed.</summary>
public sealed record HeaderModifier(IReadOnlyList<KeyValuePair<string, string>> Set, IReadOnlyList<KeyValuePair<string, string>> Add, IReadOnlyList<string> Remove);

/// <summary>A path change: the whole path (<c>ReplaceFullPath</c>) or the matched prefix (<c>ReplacePrefixMatch</c>).</summary>
public sealed record PathModifier(bool FullPath, string Value);

/// <summary><c>URLRewrite</c>: the Host header and the path the backend sees.</summary>
public sealed record UrlRewrite(string? Hostname, PathModifier? Path);

/// <summary><c>RequestRedirect</c>: the gateway answers with a redirect instead of forwarding.</summary>
public sealed record RequestRedirect(string? Scheme, string? Hostname, int? Port, PathModifier? Path, int StatusCode = 302);

/// <summary>A rule's filters, at most one of each kind but for mirrors.</summary>
public sealed record RouteFilters
{
    public static readonly RouteFilters None = new();

    public HeaderModifier? RequestHeaders { get; init; }

    public HeaderModifier? ResponseHeaders { get; init; }

    public UrlRewrite? Rewrite { get; init; }

    public RequestRedirect? Redirect { get; init; }

    /// <summary>Services each request is copied to (<c>RequestMirror</c>), their answers ignored.</summary>
    public IReadOnlyList<string> Mirrors { get; init; } = [];
}

/// <summary>One <c>rules[]</c> entry: any of its matches selects it; its filters apply; its backends share the requests by weight.</summary>
public sealed record HttpRouteRule(IReadOnlyList<HttpRouteMatch> Matches, RouteFilters Filters, IReadOnlyList<BackendRef> Backends);

/// <summary>
/// An HTTPRoute: hostnames (none: every host) and rules. <see cref="Name"/> orders routes that tie
/// on every Gateway API precedence criterion (alphabetically, as the Gateway API orders routes by name).
/// </summary>
public sealed record HttpRouteSpec(string Name, IReadOnlyList<string> Hostnames, IReadOnlyList<HttpRouteRule> Rules)
{
    /// <summary>The file it was read from; null for a service's <c>Route:Matches</c>.</summary>
    public string? SourceFile { get; init; }
}
