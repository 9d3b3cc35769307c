using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class TimeoutsTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("99999ms", 99_999)]
    public void Parse_GatewayApiDurations(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GatewayDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("1.5s")]
    [InlineData("-1s")]
    [InlineData("30S")]
    [InlineData(" 30s")]
    [InlineData("1m1h")]
    [InlineData("1s1s")]
    [InlineData("123456s")]
    [InlineData("1d")]
    [InlineData("1h1m1s1ms1h")]
    public void Parse_NotADuration_Null(string text) => Assert.Null(GatewayDuration.Parse(text));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30_000, "30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(1_500, "1s500ms")]
    public void Format_TheShortestForm(long milliseconds, string text) => Assert.Equal(text, GatewayDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    private GatewaySpec Load(string timeouts, out IReadOnlyList<string> errors) => _files.Load($$"""
        { "Gateway": { "Services": { "web": { {{timeouts}} "Template": { "spec": { "containers": [ {
            "name": "web", "command": [ "app" ], "ports": [ { "containerPort": 8080 } ] } ] } } } } } }
        """, out errors);

    [Fact]
    public void Load_NoTimeouts_TheDefaults()
    {
        var spec = Load("", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new TimeoutsSpec(TimeSpan.FromSeconds(30), false, null, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(5)), spec.Services.Single().Timeouts);
    }

    [Fact]
    public void Load_EveryTimeout_AsWritten()
    {
        var spec = Load("""  "Timeouts": { "Request": "1m", "BackendRequest": "10s", "Idle": "5m", "Connect": "250ms" }, """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(new TimeoutsSpec(TimeSpan.FromMinutes(1), true, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(250)), spec.Services.Single().Timeouts);
    }

    [Fact]
    public void Load_RequestZero_NoRequestTimeoutEvenForStreams()
    {
        var timeouts = Load("""  "Timeouts": { "Request": "0s" }, """, out var errors).Services.Single().Timeouts;

        Assert.Empty(errors);
        Assert.Null(timeouts.RequestFor(longLived: false));
        Assert.Null(timeouts.RequestFor(longLived: true));
    }

    [Theory]
    [InlineData("""{ "Request": "soon" }""", "Gateway:Services:web:Timeouts:Request: Invalid value: \"soon\": must be a duration as the Gateway API writes them: digits and a unit, h, m, s or ms, e.g. \"30s\", \"1h30m\", \"500ms\"")]
    [InlineData("""{ "Idle": "0s" }""", "Gateway:Services:web:Timeouts:Idle: Invalid value: \"0s\": must be more than 0s and at most 24h")]
    [InlineData("""{ "Request": "25h" }""", "Gateway:Services:web:Timeouts:Request: Invalid value: \"25h\": must be at most 24h (0s turns it off)")]
    [InlineData("""{ "Request": "5s", "BackendRequest": "10s" }""", "Gateway:Services:web:Timeouts:BackendRequest: Invalid value: \"10s\": must not be longer than Request (5s): an attempt cannot outlast the request it is part of")]
    [InlineData("""{ "request": "5s", "Retry": "1s" }""", "Gateway:Services:web:Timeouts:Retry: Invalid value: \"Retry\": unknown field; supported fields: Request, BackendRequest, Idle, Connect")]
    public void Load_BadTimeouts_RefusedNamingTheField(string timeouts, string error)
    {
        Load($""" "Timeouts": {timeouts}, """, out var errors);

        Assert.Contains(error, errors);
    }
}
