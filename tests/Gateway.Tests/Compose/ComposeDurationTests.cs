using Gateway.Compose;

namespace Gateway.Tests.Compose;

public sealed class ComposeDurationTests
{
    [Theory]
    [InlineData("10s", 10_000.0)]
    [InlineData("1m30s", 90_000.0)]
    [InlineData("1.5s", 1_500.0)]
    [InlineData("500ms", 500.0)]
    [InlineData("2h46m40s", 10_000_000.0)]
    [InlineData("1h", 3_600_000.0)]
    [InlineData("250us", 0.25)]
    [InlineData(".5m", 30_000.0)]
    [InlineData("0", 0.0)]
    [InlineData("0s", 0.0)]
    public void Parse_AsGoParseDuration(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ComposeDuration.Parse(text));
    }

    [Theory]
    [InlineData("10")]
    [InlineData("")]
    [InlineData("1d")]
    [InlineData("-5s")]
    [InlineData("1 m")]
    [InlineData("s")]
    public void Parse_NotADuration_IsNull(string text)
    {
        Assert.Null(ComposeDuration.Parse(text));
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.001, 2)]
    [InlineData(90.0, 90)]
    public void Seconds_RoundUp_AtLeastOne(double seconds, int expected)
    {
        Assert.Equal(expected, ComposeDuration.Seconds(TimeSpan.FromSeconds(seconds)));
    }
}
