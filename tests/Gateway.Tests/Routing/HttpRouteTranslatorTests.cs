using Gateway.Routing;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Routing;

/// <summary>HTTPRoute matches as YARP routes: what each becomes, and the Gateway API's precedence as YARP's Order.</summary>
public sealed class HttpRouteTranslatorTests
{
    private static HttpRouteMatch Match(PathMatchKind kind = PathMatchKind.PathPrefix, string path = "/", string? method = null, int headers = 0, int query = 0) =>
        new(new PathMatch(kind, path),
            [.. Enumerable.Range(0, headers).Select(i => new ValueMatch($"h{i}", "v"))],
            [.. Enumerable.Range(0, query).Select(i => new ValueMatch($"q{i}", "v"))],
            method);

    private static HttpRouteSpec Route(string name, params HttpRouteMatch[] matches) =>
        new(name, [], [new HttpRouteRule(matches, RouteFilters.None, [new BackendRef("web")])]);

    /// <summary>Pairs of matches, the first of which the Gateway API puts first.</summary>
    public static TheoryData<string, HttpRouteMatch, HttpRouteMatch> Precedence => new()
    {
        { "Exact over a prefix", Match(PathMatchKind.Exact, "/a"), Match(PathMatchKind.PathPrefix, "/a/b/c") },
        { "Exact over a regular expression", Match(PathMatchKind.Exact, "/a"), Match(PathMatchKind.RegularExpression, "/a.*") },
        { "the longer prefix first", Match(path: "/api/v2"), Match(path: "/api") },
        { "any prefix over the root", Match(path: "/a"), Match(path: "/") },
        { "a method over headers", Match(path: "/a", method: "GET"), Match(path: "/a", headers: 3) },
        { "more headers first", Match(path: "/a", headers: 2), Match(path: "/a", headers: 1) },
        { "headers over query parameters", Match(path: "/a", headers: 1), Match(path: "/a", query: 3) },
        { "more query parameters first", Match(path: "/a", query: 2), Match(path: "/a", query: 1) },
        { "the path over a method", Match(path: "/a/b"), Match(path: "/a", method: "GET") },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void Translate_OrdersMatchesAsTheGatewayApiDoes(string why, HttpRouteMatch first, HttpRouteMatch second)
    {
        // Listed in the wrong order, in two routes whose names would order them wrongly too.
        var translated = HttpRouteTranslator.Translate([("route:", Route("b", first)), ("route:", Route("a", second))]);

        Assert.True(translated[0].Config.Order < translated[1].Config.Order, why);
        Assert.Equal("route:b/0/0", translated[0].Config.RouteId);
        Assert.All(translated, t => Assert.True(t.Config.Order < 0, "HTTPRoute routes come before Path/Hosts routes (order 0)"));
    }

    [Fact]
    public void Translate_TiesGoByRouteNameThenRuleOrder()
    {
        var route = new HttpRouteSpec("z", [], [
            new HttpRouteRule([Match(path: "/a")], RouteFilters.None, [new BackendRef("one")]),
            new HttpRouteRule([Match(path: "/a")], RouteFilters.None, [new BackendRef("two")]),
        ]);

        var ids = HttpRouteTranslator.Translate([("route:", route), ("route:", Route("y", Match(path: "/a")))]).Select(t => t.Config.RouteId);

        Assert.Equal(["route:y/0/0", "route:z/0/0", "route:z/1/0"], ids);
    }

    [Fact]
    public void Translate_HostnamesFirst()
    {
        var withHost = Route("z", Match()) with { Hostnames = ["a.test"] };

        var translated = HttpRouteTranslator.Translate([("route:", Route("a", Match(PathMatchKind.Exact, "/x"))), ("route:", withHost)]);

        Assert.Equal("route:z/0/0", translated[0].Config.RouteId);
        Assert.Equal(["a.test"], translated[0].Config.Match.Hosts);
    }

    public static TheoryData<PathMatchKind, string, string> Patterns => new()
    {
        { PathMatchKind.Exact, "/a/b", "/a/b" },
        { PathMatchKind.Exact, "/a{b}", "/a{{b}}" },
        { PathMatchKind.PathPrefix, "/", "/{**gwrest}" },
        { PathMatchKind.PathPrefix, "/api", "/api/{**gwrest}" },
        { PathMatchKind.RegularExpression, "/re/[0-9]+", "/{**gwrest}" },
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Pattern_IsWhatYarpMatchesFirst(PathMatchKind kind, string value, string pattern) =>
        Assert.Equal(pattern, HttpRouteTranslator.Pattern(new PathMatch(kind, value)));

    [Fact]
    public void Translate_ExactHeadersAndQueryToYarp_RegularExpressionsToTheCompiledRoute()
    {
        var match = new HttpRouteMatch(new PathMatch(PathMatchKind.PathPrefix, "/a"),
            [new ValueMatch("x-a", "1"), new ValueMatch("x-b", "b.*", ValueMatchKind.RegularExpression)],
            [new ValueMatch("q", "2")], "POST");

        var config = Assert.Single(HttpRouteTranslator.Translate([("service:", Route("web", match))])).Config;

        var header = Assert.Single(config.Match.Headers!);
        Assert.Equal(("x-a", "1", HeaderMatchMode.ExactHeader, true), (header.Name, header.Values![0], header.Mode, header.IsCaseSensitive));
        var query = Assert.Single(config.Match.QueryParameters!);
        Assert.Equal(("q", "2", QueryParameterMatchMode.Exact, true), (query.Name, query.Values![0], query.Mode, query.IsCaseSensitive));
        Assert.Equal(["POST"], config.Match.Methods);
        Assert.Equal("web", config.ClusterId);
    }

    [Fact]
    public void Transforms_HeaderModifiersAndFullPathAreYarpTransforms()
    {
        var filters = new RouteFilters
        {
            RequestHeaders = new HeaderModifier([new("x-s", "1")], [new("x-a", "2")], ["x-r"]),
            ResponseHeaders = new HeaderModifier([new("y-s", "1")], [], ["y-r"]),
            Rewrite = new UrlRewrite("h.test", new PathModifier(true, "/new")),
        };

        var transforms = HttpRouteTranslator.Transforms(filters).Select(t => string.Join(",", t.Select(p => $"{p.Key}={p.Value}")));

        Assert.Equal(
            ["RequestHeader=x-s,Set=1", "RequestHeader=x-a,Append=2", "RequestHeaderRemove=x-r", "ResponseHeader=y-s,Set=1,When=Always", "ResponseHeaderRemove=y-r,When=Always", "RequestHeader=Host,Set=h.test", "PathSet=/new"],
            transforms);
    }

    public static TheoryData<string, string, bool> Prefixes => new()
    {
        { "/api", "/api", true },
        { "/api/", "/api", true },
        { "/api/x", "/api", true },
        { "/apis", "/api", false },
        { "/API", "/api", false },
        { "/anything", "/", true },
    };

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void PrefixMatches_ByPathElementsWithCase(string path, string prefix, bool matches) =>
        Assert.Equal(matches, CompiledRoute.PrefixMatches(path, prefix));

    public static TheoryData<string, string, string, string> Replacements => new()
    {
        { "/foo", "/foo", "/bar", "/bar" },
        { "/foo/x", "/foo", "/bar", "/bar/x" },
        { "/foo/x", "/foo", "/", "/x" },
        { "/foo", "/foo", "/", "/" },
        { "/foo/x", "/foo", "/bar/", "/bar/x" },
        { "/x", "/", "/v2", "/v2/x" },
    };

    [Theory]
    [MemberData(nameof(Replacements))]
    public void ReplacePrefix_AsTheGatewayApisReplacePrefixMatch(string path, string prefix, string replacement, string expected) =>
        Assert.Equal(expected, CompiledRoute.ReplacePrefix(path, prefix, replacement));

    [Fact]
    public void Matches_RegularExpressionsMatchTheWholeValue()
    {
        var match = new HttpRouteMatch(new PathMatch(PathMatchKind.RegularExpression, "/re/[0-9]+"), [new ValueMatch("x-user", "adm.*", ValueMatchKind.RegularExpression)], [], null);
        var compiled = new CompiledRoute(match, new HttpRouteRule([match], RouteFilters.None, [new BackendRef("web")]));
        static HttpRequest Request(string path, string user)
        {
            var context = new DefaultHttpContext();
            context.Request.Path = path;
            context.Request.Headers["x-user"] = user;
            return context.Request;
        }

        Assert.True(compiled.Matches(Request("/re/12", "admin")));
        Assert.False(compiled.Matches(Request("/re/12x", "admin")));
        Assert.False(compiled.Matches(Request("/x/re/12", "admin")));
        Assert.False(compiled.Matches(Request("/re/12", "not-admin")));
    }

    [Fact]
    public void BackendFor_DrawsByCumulativeWeight()
    {
        var rule = new HttpRouteRule([HttpRouteMatch.Everything], RouteFilters.None, [new BackendRef("a", 90), new BackendRef("z", 0), new BackendRef("b", 10)]);
        var compiled = new CompiledRoute(HttpRouteMatch.Everything, rule);

        var counts = Enumerable.Range(0, compiled.TotalWeight).GroupBy(compiled.BackendFor).ToDictionary(g => compiled.Backends[g.Key], g => g.Count());

        Assert.Equal(100, compiled.TotalWeight);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 90, ["b"] = 10 }, counts);
    }

    public static TheoryData<string?, string?, int?, bool, string, string> Redirects => new()
    {
        { "https", null, null, false, "/", "https://gw.test/a/b?x=1" },
        { null, "other.test", null, false, "/", "http://other.test:8080/a/b?x=1" },
        { null, null, 9090, false, "/", "http://gw.test:9090/a/b?x=1" },
        { "https", null, 443, true, "/new", "https://gw.test/new?x=1" },
        { null, null, null, false, "/v2", "http://gw.test:8080/v2/b?x=1" },
    };

    [Theory]
    [MemberData(nameof(Redirects))]
    public void Location_IsTheRequestsUrlWithTheFiltersChanges(string? scheme, string? host, int? port, bool fullPath, string path, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("gw.test", 8080);
        context.Request.Path = "/a/b";
        context.Request.QueryString = new QueryString("?x=1");
        var redirect = new RequestRedirect(scheme, host, port, path == "/" ? null : new PathModifier(fullPath, path));

        Assert.Equal(expected, HttpRouteMiddleware.Location(context.Request, redirect, "/a"));
    }
}
