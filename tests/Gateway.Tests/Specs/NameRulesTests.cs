using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class NameRulesTests
{
    // .NET's $ matches before a trailing newline, Go's does not: every rule ends its expression with \z.
    [Theory]
    [InlineData("web", true)]
    [InlineData("web-1", true)]
    [InlineData("web\n", false)]
    [InlineData("\nweb", false)]
    [InlineData("Web", false)]
    [InlineData("web.app", false)]
    public void Dns1123Label_Value_IsValidOnlyAsAWholeLabel(string value, bool valid)
    {
        Assert.Equal(valid, NameRules.Dns1123Label(value).Count == 0);
    }

    [Theory]
    [InlineData("web.app", true)]
    [InlineData("web.app\n", false)]
    public void Dns1123Subdomain_TrailingNewline_IsRefused(string value, bool valid)
    {
        Assert.Equal(valid, NameRules.Dns1123Subdomain(value).Count == 0);
    }

    [Theory]
    [InlineData("http", true)]
    [InlineData("http\n", false)]
    public void PortName_TrailingNewline_IsRefused(string value, bool valid)
    {
        Assert.Equal(valid, NameRules.PortName(value).Count == 0);
    }
}
