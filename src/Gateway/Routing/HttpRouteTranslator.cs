using Gateway.Specs;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Routing;

/// <summary>
/// HTTPRoute rules as YARP routes: one <see cref="RouteConfig"/> per match, its path, hosts, method
/// and exact header and query matches in <see cref="RouteMatch"/>, header and URL changes as YARP
/// transforms, and an <see cref="RouteConfig.Order"/> that gives the Gateway API's precedence:
/// routes with hostnames first, then an Exact path, a RegularExpression path (longer first), a
/// PathPrefix (longer first), a method, more header matches, more query matches, then the route's
/// name and the rule's and match's place in it. All come before the <c>Path</c>/<c>Hosts</c> routes,
/// which keep the order 0 and ASP.NET Core's pattern precedence among themselves.
/// </summary>
internal static class HttpRouteTranslator
{
    /// <summary>The catch-all parameter holding the rest of a prefix-matched path.</summary>
    public const string RestParameter = "gwrest";

    /// <summary>
    /// The cluster of a rule that sends nowhere (a redirect, answered by the gateway): YARP answers a
    /// route without a cluster 503 before the gateway's middleware runs. No service has this name.
    /// </summary>
    public const string NoBackendCluster = "gateway:no-backend";

    /// <summary>One YARP route of an HTTPRoute match, and what the gateway adds to it.</summary>
    public sealed record Translated(RouteConfig Config, CompiledRoute Compiled);

    /// <summary>The YARP routes of <paramref name="routes"/> (each an HTTPRoute and the prefix its route ids get), ordered by precedence.</summary>
    public static List<Translated> Translate(IEnumerable<(string IdPrefix, HttpRouteSpec Route)> routes)
    {
        var entries = new List<(Key Key, string Id, HttpRouteSpec Route, HttpRouteRule Rule, HttpRouteMatch Match)>();
        foreach (var (prefix, route) in routes)
        {
            for (var r = 0; r < route.Rules.Count; r++)
            {
                var rule = route.Rules[r];
                for (var m = 0; m < rule.Matches.Count; m++)
                {
                    var match = rule.Matches[m];
                    entries.Add((KeyOf(route, match, r, m), $"{prefix}{route.Name}/{r}/{m}", route, rule, match));
                }
            }
        }

        entries.Sort((a, b) => a.Key.CompareTo(b.Key));
        var translated = new List<Translated>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (_, id, route, rule, match) = entries[i];
            var config = Config(id, route, rule, match, order: i - entries.Count);
            translated.Add(new Translated(config, new CompiledRoute(match, rule)));
        }

        return translated;
    }

    /// <summary>A match's place in the Gateway API's precedence; smaller first.</summary>
    public readonly record struct Key(int Hosts, int PathKind, int PathLength, int Method, int Headers, int Query, string Name, int Rule, int Match) : IComparable<Key>
    {
        public int CompareTo(Key other)
        {
            var c = Hosts.CompareTo(other.Hosts);
            c = c != 0 ? c : PathKind.CompareTo(other.PathKind);
            c = c != 0 ? c : other.PathLength.CompareTo(PathLength);
            c = c != 0 ? c : Method.CompareTo(other.Method);
            c = c != 0 ? c : other.Headers.CompareTo(Headers);
            c = c != 0 ? c : other.Query.CompareTo(Query);
            c = c != 0 ? c : string.CompareOrdinal(Name, other.Name);
            c = c != 0 ? c : Rule.CompareTo(other.Rule);
            return c != 0 ? c : Match.CompareTo(other.Match);
        }
    }

    public static Key KeyOf(HttpRouteSpec route, HttpRouteMatch match, int rule, int index)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(match);
        var kind = match.Path.Kind switch
        {
            PathMatchKind.Exact => 0,
            PathMatchKind.RegularExpression => 1,
            _ => 2,
        };
        var length = match.Path.Kind is PathMatchKind.PathPrefix && match.Path.Value == "/" ? 0 : match.Path.Value.Length;
        return new Key(route.Hostnames.Count > 0 ? 0 : 1, kind, length, match.Method is null ? 1 : 0, match.Headers.Count, match.QueryParams.Count, route.Name, rule, index);
    }

    /// <summary>The route pattern YARP matches first: the literal path, the prefix and any rest, or every path for a regular expression (checked after).</summary>
    public static string Pattern(PathMatch path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Kind switch
        {
            PathMatchKind.Exact => Escape(path.Value),
            PathMatchKind.PathPrefix when path.Value == "/" => $"/{{**{RestParameter}}}",
            PathMatchKind.PathPrefix => $"{Escape(path.Value)}/{{**{RestParameter}}}",
            _ => $"/{{**{RestParameter}}}",
        };
    }

    private static string Escape(string literal) => literal.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);

    private static RouteConfig Config(string id, HttpRouteSpec route, HttpRouteRule rule, HttpRouteMatch match, int order)
    {
        var exactHeaders = match.Headers.Where(h => h.Kind is ValueMatchKind.Exact)
            .Select(h => new RouteHeader { Name = h.Name, Values = [h.Value], Mode = HeaderMatchMode.ExactHeader, IsCaseSensitive = true })
            .ToList();
        var exactQuery = match.QueryParams.Where(q => q.Kind is ValueMatchKind.Exact)
            .Select(q => new RouteQueryParameter { Name = q.Name, Values = [q.Value], Mode = QueryParameterMatchMode.Exact, IsCaseSensitive = true })
            .ToList();
        var first = rule.Backends.FirstOrDefault(b => b.Weight > 0) ?? (rule.Backends.Count > 0 ? rule.Backends[0] : null);
        return new RouteConfig
        {
            RouteId = id,
            ClusterId = first?.Service ?? NoBackendCluster,
            Order = order,
            Match = new RouteMatch
            {
                Path = Pattern(match.Path),
                Hosts = route.Hostnames.Count > 0 ? [.. route.Hostnames] : null,
                Methods = match.Method is { } method ? [method] : null,
                Headers = exactHeaders.Count > 0 ? exactHeaders : null,
                QueryParameters = exactQuery.Count > 0 ? exactQuery : null,
            },
            Transforms = Transforms(rule.Filters) is { Count: > 0 } transforms ? transforms : null,
        };
    }

    /// <summary>The filters YARP has transforms for: header changes, the Host header, a whole new path.</summary>
    public static List<IReadOnlyDictionary<string, string>> Transforms(RouteFilters filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var transforms = new List<IReadOnlyDictionary<string, string>>();
        if (filters.RequestHeaders is { } request)
        {
            transforms.AddRange(request.Set.Select(h => Transform(("RequestHeader", h.Key), ("Set", h.Value))));
            transforms.AddRange(request.Add.Select(h => Transform(("RequestHeader", h.Key), ("Append", h.Value))));
            transforms.AddRange(request.Remove.Select(h => Transform(("RequestHeaderRemove", h))));
        }

        if (filters.ResponseHeaders is { } response)
        {
            transforms.AddRange(response.Set.Select(h => Transform(("ResponseHeader", h.Key), ("Set", h.Value), ("When", "Always"))));
            transforms.AddRange(response.Add.Select(h => Transform(("ResponseHeader", h.Key), ("Append", h.Value), ("When", "Always"))));
            transforms.AddRange(response.Remove.Select(h => Transform(("ResponseHeaderRemove", h), ("When", "Always"))));
        }

        if (filters.Rewrite is { } rewrite)
        {
            if (rewrite.Hostname is { } host)
            {
                transforms.Add(Transform(("RequestHeader", "Host"), ("Set", host)));
            }

            if (rewrite.Path is { FullPath: true } path)
            {
                transforms.Add(Transform(("PathSet", path.Value)));
            }
        }

        return transforms;
    }

    private static Dictionary<string, string> Transform(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
