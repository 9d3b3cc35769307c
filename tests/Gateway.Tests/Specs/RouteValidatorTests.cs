using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class RouteValidatorTests
{
    [Theory]
    [InlineData("/{**a}", "/{**b}", true)]
    [InlineData(null, "/{**catch-all}", true)] // a route with hosts only matches every path
    [InlineData("/API/{id}", "/api/{name}", true)] // routing ignores case
    [InlineData("/api/{id:int}", "/api/{id}", false)] // a constraint makes it more specific, not ambiguous
    [InlineData("/api/{id?}", "/api/{id}", true)] // both take /api/7
    [InlineData("/api/{**rest}", "/api/{id}", false)]
    [InlineData("/a/{x}.{y}", "/a/{p}.{q}", true)]
    public void Shape_TwoPatterns_AreEqualOnlyWhenTheyMatchTheSameRequests(string? a, string b, bool same)
    {
        Assert.Equal(same, RouteValidator.Shape(a) == RouteValidator.Shape(b));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("*.example.com")]
    [InlineData("*")]
    [InlineData("*:8080")]
    [InlineData("Example.COM:443")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:8080")]
    public void HostProblems_HostAspNetCoreMatches_None(string host)
    {
        Assert.Empty(RouteValidator.HostProblems(host));
    }

    [Theory]
    [InlineData("")]
    [InlineData("exa mple.com")]
    [InlineData("example..com")]
    [InlineData("-example.com")]
    [InlineData("example.*")]
    [InlineData("example.com:0")]
    [InlineData("example.com:")]
    [InlineData("[::1")]
    public void HostProblems_HostItCannotMatch_One(string host)
    {
        Assert.Single(RouteValidator.HostProblems(host));
    }
}
