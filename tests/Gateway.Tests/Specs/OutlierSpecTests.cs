using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class OutlierSpecTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    private GatewaySpec Load(string outlier, out IReadOnlyList<string> errors) => _files.Load($$"""
        { "Gateway": { "Services": { "web": { {{outlier}} "Template": { "spec": { "containers": [ {
            "name": "web", "command": [ "app" ], "ports": [ { "containerPort": 8080 } ] } ] } } } } } }
        """, out errors);

    [Fact]
    public void Load_NoOutlier_OnWithEnvoysDefaults()
    {
        var spec = Load("", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new OutlierSpec(5, 5, TimeSpan.FromSeconds(30), 50, Enabled: true), spec.Services.Single().Outlier);
    }

    [Fact]
    public void Load_EverySetting_AsWritten()
    {
        var spec = Load("""
            "Outlier": { "Consecutive5xx": 3, "ConsecutiveGatewayFailures": 0, "BaseEjectionTime": "1m30s", "MaxEjectionPercent": 100, "Enabled": false },
            """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(new OutlierSpec(3, 0, TimeSpan.FromSeconds(90), 100, Enabled: false), spec.Services.Single().Outlier);
    }

    [Theory]
    [InlineData("""{ "BaseEjectionTime": "30" }""", "Gateway:Services:web:Outlier:BaseEjectionTime: Invalid value: \"30\": must be a duration as the Gateway API writes them: digits and a unit, h, m, s or ms, e.g. \"30s\", \"1h30m\", \"500ms\"")]
    [InlineData("""{ "BaseEjectionTime": "0s" }""", "Gateway:Services:web:Outlier:BaseEjectionTime: Invalid value: \"0s\": must be more than 0s and at most 1h (set Enabled to false to turn ejection off)")]
    [InlineData("""{ "BaseEjectionTime": "2h" }""", "Gateway:Services:web:Outlier:BaseEjectionTime: Invalid value: \"2h\": must be more than 0s and at most 1h (set Enabled to false to turn ejection off)")]
    [InlineData("""{ "MaxEjectionPercent": 150 }""", "Gateway:Services:web:Outlier:MaxEjectionPercent: Invalid value: 150: must be between 0 and 100, inclusive")]
    [InlineData("""{ "Consecutive5xx": -1 }""", "Gateway:Services:web:Outlier:Consecutive5xx: Invalid value: -1: must be between 0 and 1000000, inclusive")]
    [InlineData("""{ "ConsecutiveGatewayFailures": "many" }""", "Gateway:Services:web:Outlier:ConsecutiveGatewayFailures: Invalid value: \"many\": must be an integer")]
    [InlineData("""{ "Enabled": "yes" }""", "Gateway:Services:web:Outlier:Enabled: Invalid value: \"yes\": must be true or false")]
    [InlineData("""{ "Interval": "10s" }""", "Gateway:Services:web:Outlier:Interval: Invalid value: \"Interval\": unknown field; supported fields: Consecutive5xx, ConsecutiveGatewayFailures, BaseEjectionTime, MaxEjectionPercent, Enabled")]
    public void Load_BadOutlier_RefusedNamingTheField(string outlier, string error)
    {
        var spec = Load($""" "Outlier": {outlier}, """, out var errors);

        Assert.Contains(error, errors);
        Assert.Empty(spec.Services);
    }
}
