using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Routing;

/// <summary>
/// What one HTTPRoute match needs beyond YARP's own route matching and transforms, compiled once
/// when the config is built and found again from the <see cref="RouteConfig"/> YARP holds (as
/// <see cref="ClusterSettings"/> are from their cluster): the case-sensitive path check and regular
/// expressions ASP.NET Core routing lacks (<see cref="HttpRouteMatcherPolicy"/>), and the weighted
/// backends, redirect and mirrors (<see cref="HttpRouteMiddleware"/>). Nothing here allocates per request.
/// </summary>
internal sealed class CompiledRoute
{
    private static readonly ConditionalWeakTable<RouteConfig, CompiledRoute> ByRoute = [];
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly PathMatch _path;
    private readonly Regex? _pathRegex;
    private readonly (string Name, Regex Regex)[] _headerRegexes;
    private readonly (string Name, Regex Regex)[] _queryRegexes;
    private readonly int[] _cumulativeWeights;

    public CompiledRoute(HttpRouteMatch match, HttpRouteRule rule)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(rule);
        _path = match.Path;
        _pathRegex = match.Path.Kind is PathMatchKind.RegularExpression ? Anchored(match.Path.Value) : null;
        _headerRegexes = [.. match.Headers.Where(h => h.Kind is ValueMatchKind.RegularExpression).Select(h => (h.Name, Anchored(h.Value)))];
        _queryRegexes = [.. match.QueryParams.Where(q => q.Kind is ValueMatchKind.RegularExpression).Select(q => (q.Name, Anchored(q.Value)))];
        Backends = [.. rule.Backends.Select(b => b.Service)];
        var sum = 0;
        _cumulativeWeights = [.. rule.Backends.Select(b => sum += b.Weight)];
        TotalWeight = sum;
        Redirect = rule.Filters.Redirect;
        Mirrors = [.. rule.Filters.Mirrors];
        MatchedPrefix = match.Path.Kind is PathMatchKind.PathPrefix ? match.Path.Value : null;
        PrefixRewrite = rule.Filters.Rewrite?.Path is { FullPath: false } rewrite && match.Path.Kind is PathMatchKind.PathPrefix
            ? (match.Path.Value, rewrite.Value)
            : null;
    }

    /// <summary>The services the rule sends to, in order; one unless a split.</summary>
    public string[] Backends { get; }

    /// <summary>The sum of the backends' weights; zero: the rule answers 500, as the Gateway API says.</summary>
    public int TotalWeight { get; }

    public RequestRedirect? Redirect { get; }

    public string[] Mirrors { get; }

    /// <summary>The PathPrefix the match names; null for other path matches.</summary>
    public string? MatchedPrefix { get; }

    /// <summary>The matched prefix and what replaces it (<c>URLRewrite</c> with <c>ReplacePrefixMatch</c>).</summary>
    public (string Prefix, string Replacement)? PrefixRewrite { get; }

    /// <summary>Whether the middleware has anything to do for a request of this route.</summary>
    public bool NeedsMiddleware => Backends.Length > 1 || TotalWeight == 0 || Redirect is not null || Mirrors.Length > 0;

    public static void Attach(RouteConfig route, CompiledRoute compiled) => ByRoute.AddOrUpdate(route, compiled);

    public static CompiledRoute? Of(RouteConfig route) => ByRoute.TryGetValue(route, out var compiled) ? compiled : null;

    /// <summary>The index of the backend for a draw in [0, <see cref="TotalWeight"/>).</summary>
    public int BackendFor(int draw)
    {
        var weights = _cumulativeWeights;
        for (var i = 0; i < weights.Length; i++)
        {
            if (draw < weights[i])
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    /// <summary>The checks ASP.NET Core routing does not make: the path as the Gateway API compares it (with case, by elements), and regular expressions.</summary>
    public bool Matches(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var pathOk = _path.Kind switch
        {
            PathMatchKind.Exact => string.Equals(path, _path.Value, StringComparison.Ordinal),
            PathMatchKind.PathPrefix => PrefixMatches(path, _path.Value),
            _ => _pathRegex!.IsMatch(path),
        };
        if (!pathOk)
        {
            return false;
        }

        foreach (var (name, regex) in _headerRegexes)
        {
            if (!request.Headers.TryGetValue(name, out var values) || !AnyMatch(values, regex))
            {
                return false;
            }
        }

        foreach (var (name, regex) in _queryRegexes)
        {
            if (!request.Query.TryGetValue(name, out var values) || !AnyMatch(values, regex))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A Gateway API prefix: <c>/api</c> matches <c>/api</c>, <c>/api/</c> and <c>/api/x</c>, not <c>/apis</c>.</summary>
    public static bool PrefixMatches(string path, string prefix) =>
        prefix == "/" || (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/'));

    /// <summary>The path with the matched prefix replaced, as the Gateway API's <c>ReplacePrefixMatch</c> does.</summary>
    public static string ReplacePrefix(string path, string prefix, string replacement)
    {
        var rest = prefix == "/" ? path : path[prefix.Length..];
        if (replacement == "/" || replacement.EndsWith('/'))
        {
            return rest.StartsWith('/') ? replacement.TrimEnd('/') + rest : replacement + rest;
        }

        return rest.Length == 0 || rest.StartsWith('/') ? replacement + rest : replacement + "/" + rest;
    }

    private static bool AnyMatch(Microsoft.Extensions.Primitives.StringValues values, Regex regex)
    {
        foreach (var value in values)
        {
            if (value is not null && regex.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    // The Gateway API matches a regular expression against the whole value, as Envoy's RE2 full match does.
    private static Regex Anchored(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.Compiled, RegexTimeout);
}
