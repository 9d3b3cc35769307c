using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class ProxyLimitsTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private GatewaySpec Load(string proxy, out IReadOnlyList<string> errors) =>
        _files.Load($$"""{ "Gateway": { "Proxy": { {{proxy}} }, "Services": {} } }""", out errors);

    [Fact]
    public void Load_NoLimits_KestrelsDefaults()
    {
        var spec = Load("", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new ProxyLimitsSpec(30_000_000, 32_768, 100, 8_192), spec.ProxyLimits);
    }

    [Fact]
    public void Load_DefaultsAreKestrels()
    {
        var kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits();

        Assert.Equal(
            new ProxyLimitsSpec(kestrel.MaxRequestBodySize!.Value, kestrel.MaxRequestHeadersTotalSize, kestrel.MaxRequestHeaderCount, kestrel.MaxRequestLineSize),
            ProxyLimitsSpec.Default);
        Assert.True(ProxyLimitsSpec.MaxHeaderLimit <= kestrel.MaxRequestBufferSize, "Kestrel refuses header limits beyond its request buffer");
    }

    [Fact]
    public void Load_EveryLimit_AsWritten_UnsetOnesAtTheirDefault()
    {
        var spec = Load(""" "Limits": { "MaxRequestBodySize": 1e9, "MaxRequestHeadersTotalSize": 65536, "MaxRequestLineSize": "16384" } """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(new ProxyLimitsSpec(1_000_000_000, 65_536, 100, 16_384), spec.ProxyLimits);
    }

    [Theory]
    [InlineData(""" "Limits": { "MaxRequestBodySize": 0 } """, "Gateway:Proxy:Limits:MaxRequestBodySize: Invalid value: 0: must be greater than or equal to 1")]
    [InlineData(""" "Limits": { "MaxRequestBodySize": 2e12 } """, "Gateway:Proxy:Limits:MaxRequestBodySize: Invalid value: 2e12: must be between 1 and 1099511627776, inclusive")]
    [InlineData(""" "Limits": { "MaxRequestBodySize": "30MB" } """, "Gateway:Proxy:Limits:MaxRequestBodySize: Invalid value: \"30MB\": must be an integer")]
    [InlineData(""" "Limits": { "MaxRequestHeadersTotalSize": 2000000 } """, "Gateway:Proxy:Limits:MaxRequestHeadersTotalSize: Invalid value: 2000000: must be between 1 and 1048576, inclusive")]
    [InlineData(""" "Limits": { "MaxRequestHeaderCount": -1 } """, "Gateway:Proxy:Limits:MaxRequestHeaderCount: Invalid value: -1: must be between 1 and 10000, inclusive")]
    [InlineData(""" "Limits": { "MaxRequestLineSize": 8.5 } """, "Gateway:Proxy:Limits:MaxRequestLineSize: Invalid value: 8.5: must be an integer")]
    [InlineData(""" "Limits": { "MaxRequestLineSize": 0 } """, "Gateway:Proxy:Limits:MaxRequestLineSize: Invalid value: 0: must be between 1 and 1048576, inclusive")]
    [InlineData(""" "Limits": { "MaxRequestBodySise": 10 } """, "Gateway:Proxy:Limits:MaxRequestBodySise: Invalid value: \"MaxRequestBodySise\": unknown field; did you mean \"MaxRequestBodySize\"?")]
    [InlineData(""" "Limits": 1000 """, "Gateway:Proxy:Limits: Invalid value: \"1000\": must be an object with the fields MaxRequestBodySize, MaxRequestHeadersTotalSize, MaxRequestHeaderCount, MaxRequestLineSize")]
    public void Load_BadLimit_OneErrorNamingIt(string proxy, string error)
    {
        Load(proxy, out var errors);

        Assert.Equal(error, Assert.Single(errors));
    }
}
