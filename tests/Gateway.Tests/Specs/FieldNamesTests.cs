using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class FieldNamesTests
{
    private static readonly string[] ServiceKeys = ["Route", "Runtime", "Retries", "SlowStartSeconds", "Replicas", "Template", "Manifest", "Strategy"];

    [Theory]
    [InlineData("Replica", "Replicas")] // a letter missing
    [InlineData("replicas2", "Replicas")] // one extra, case ignored
    [InlineData("Rotue", "Route")] // two letters swapped
    [InlineData("Templat", "Template")]
    [InlineData("SlowStart", null)] // too far from SlowStartSeconds to be a typo
    [InlineData("Colour", null)]
    [InlineData("R", null)]
    public void Nearest_Key_IsTheFieldATypoAway(string key, string? expected)
    {
        Assert.Equal(expected, FieldNames.Nearest(key, ServiceKeys));
    }

    [Fact]
    public void UnknownKey_WithoutANearField_ListsTheSupportedOnes()
    {
        Assert.Equal(
            "Gateway:Proxy:Address: Invalid value: \"Address\": unknown field; supported fields: Urls",
            FieldNames.UnknownKey("Gateway:Proxy", "Address", ["Urls"]).ToString());
    }
}
