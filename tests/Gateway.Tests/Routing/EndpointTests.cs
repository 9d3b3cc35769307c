using Gateway.Routing;

namespace Gateway.Tests.Routing;

public sealed class EndpointTests
{
    [Theory]
    [InlineData("web", "127.0.0.1:5001")]
    [InlineData("shop", "10.0.0.2:8080")]
    [InlineData("a-b", "[::1]:5003")]
    public void ExternalDestinationId_RoundTripsToItsKey(string service, string key)
    {
        var id = Endpoint.ExternalDestinationId(service, key);

        Assert.Equal($"{service}/{key}", id);
        Assert.Equal(key, Endpoint.ExternalKey(service, id));
    }
}
