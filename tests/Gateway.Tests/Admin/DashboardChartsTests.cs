using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class DashboardChartsTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(7, 10)]
    [InlineData(12, 20)]
    [InlineData(150, 200)]
    [InlineData(2000, 2000)]
    [InlineData(0.003, 0.005)]
    public void NiceTop_IsOneTwoOrFiveTimesAPowerOfTen_AtOrAboveTheMax(double max, double top) =>
        Assert.Equal(top, DashboardCharts.NiceTop(max), 9);

    [Fact]
    public void LinePath_SpreadsTheValuesAcrossTheWidth_ZeroAtTheBottom() =>
        Assert.Equal("M0 10 L50 0 L100 5", DashboardCharts.LinePath([0, 1, 0.5], 100, 10, 1));

    [Fact]
    public void LinePath_AboveTheTop_IsClamped() =>
        Assert.Equal("M0 0 L100 10", DashboardCharts.LinePath([5, -1], 100, 10, 1));

    [Fact]
    public void LinePath_AMissingValue_BreaksTheLine() =>
        Assert.Equal("M0 0 L33.3 5 M100 10 L100 10", DashboardCharts.LinePath([1, 0.5, null, 0], 100, 10, 1));

    [Fact]
    public void LinePath_AValueAlone_IsAShortStrokeSoThatItShows() =>
        Assert.Equal("M50 5 L52 5", DashboardCharts.LinePath([null, 0.5, null], 100, 10, 1));

    [Fact]
    public void LinePath_OfNothing_IsEmpty()
    {
        Assert.Equal("", DashboardCharts.LinePath([], 100, 10, 1));
        Assert.Equal("", DashboardCharts.LinePath([null, null], 100, 10, 1));
    }

    [Fact]
    public void Svg_HasItsLineAndLabels_AndEscapesTheServiceName()
    {
        var svg = DashboardCharts.Svg("<script>alert(1)</script>", "requests", "requests/s", [0, 2, 4], v => $"{v}/s", "#123456");

        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
        Assert.Contains("data-service=\"&lt;script&gt;alert(1)&lt;/script&gt;\"", svg, StringComparison.Ordinal);
        Assert.Contains($"d=\"{DashboardCharts.LinePath([0, 2, 4], DashboardCharts.Width, DashboardCharts.PlotHeight, 5)}\"", svg, StringComparison.Ordinal);
        Assert.Contains(">5/s</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">4/s</text></svg>", svg, StringComparison.Ordinal);
        Assert.Contains("now 4/s, max 4/s", svg, StringComparison.Ordinal);
    }
}
