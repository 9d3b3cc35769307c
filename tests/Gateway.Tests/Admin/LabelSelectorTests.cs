using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "demo", ["example.com/canary"] = "true" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app = web", true)]
    [InlineData("app=seed", false)]
    [InlineData("app!=seed", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("tier in (demo)", true)]
    [InlineData("tier in (prod, demo)", true)]
    [InlineData("tier in (prod)", false)]
    [InlineData("tier notin (prod)", true)]
    [InlineData("tier notin (demo)", false)]
    [InlineData("missing notin (demo)", true)]
    [InlineData("missing in (demo)", false)]
    [InlineData("app", true)]
    [InlineData("!app", false)]
    [InlineData("!missing", true)]
    [InlineData("example.com/canary=true", true)]
    [InlineData("app=web,tier in (demo,prod),!missing", true)]
    [InlineData("app=web,tier=prod", false)]
    public void Matches_Requirement_AsTheApiServer(string selector, bool matches)
    {
        var parsed = LabelSelector.Parse(selector, out var error);

        Assert.Null(error);
        Assert.Equal(matches, parsed!.Matches(Web));
    }

    [Theory]
    [InlineData("a in (")]
    [InlineData("a in b")]
    [InlineData("a=b=c")]
    [InlineData("=b")]
    [InlineData("a b")]
    [InlineData("-a=b")]
    [InlineData("a=-b")]
    [InlineData("a=b,")]
    public void Parse_Malformed_NullWithTheApiServersWords(string selector)
    {
        Assert.Null(LabelSelector.Parse(selector, out var error));
        Assert.StartsWith("unable to parse requirement: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_NoLabels_OnlyNegativeRequirementsHold()
    {
        Assert.True(LabelSelector.Parse("!app,app!=web", out _)!.Matches(null));
        Assert.False(LabelSelector.Parse("app", out _)!.Matches(null));
    }
}
