using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class AdminHostRuleTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LocalHost", true)]
    [InlineData("localhost.", true)]
    [InlineData("gateway.localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("[::1]", true)]
    [InlineData("[fe80::1]", true)]
    [InlineData("gateway.store.svc", true)]
    [InlineData("GATEWAY.store.svc.", true)]
    [InlineData("evil.example", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("notlocalhost", false)]
    [InlineData("127.0.0.1.evil.example", false)]
    [InlineData("2130706433", false)]
    [InlineData("0x7f.1", false)]
    [InlineData("[127.0.0.1]", false)]
    [InlineData("store.svc", false)]
    [InlineData("", false)]
    public void IsAllowed_LoopbackNamesIpLiteralsAndConfiguredNames(string host, bool want) =>
        Assert.Equal(want, AdminHostRule.IsAllowed(host, ["gateway.store.svc"]));
}
