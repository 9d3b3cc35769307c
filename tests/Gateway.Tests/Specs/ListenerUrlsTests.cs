using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class ListenerUrlsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8081", false)]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.2:8080", false)]
    [InlineData("http://localhost:8080", "http://[::1]:8080", true)] // Kestrel's localhost is both loopbacks
    [InlineData("http://*:8080", "http://10.0.0.1:8080", true)]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080", true)]
    [InlineData("http://[::]:8080", "http://localhost:8080", true)]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0", false)] // port 0 picks a free port each time
    [InlineData("http://127.0.0.1", "http://127.0.0.1:80", true)] // Kestrel's default port
    public void Overlap_TwoListeners_WhenTheyWouldBindOneSocket(string a, string b, bool overlap)
    {
        var errors = new List<FieldError>();
        var first = Assert.Single(ListenerUrls.Parse(a, "A", errors));
        var second = Assert.Single(ListenerUrls.Parse(b, "B", errors));

        Assert.Empty(errors);
        Assert.Equal(overlap, ListenerUrls.Overlap(first, second));
    }
}
