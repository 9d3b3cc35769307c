using Gateway.Kubernetes;
using k8s.Models;

namespace Gateway.Tests.Kubernetes;

public sealed class EndpointSliceEndpointsTests
{
    private static V1EndpointSlice Slice(string name, IEnumerable<(string Name, int Port)> ports, params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        AddressType = "IPv4",
        Ports = [.. ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = p.Port })],
        Endpoints = endpoints,
    };

    private static V1Endpoint Endpoint(string address, bool? ready, bool? serving = null, bool? terminating = null, string? pod = null) => new()
    {
        Addresses = [address],
        Conditions = new V1EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
        TargetRef = pod is null ? null : new V1ObjectReference { Kind = "Pod", Name = pod },
    };

    [Theory]
    [InlineData(null, null, null, true, true, false)]
    [InlineData(true, null, null, true, true, false)]
    [InlineData(false, null, null, false, false, false)]
    [InlineData(false, true, true, false, true, true)]
    [InlineData(false, false, true, false, false, true)]
    public void From_Conditions_ApiDefaultsApplied(bool? ready, bool? serving, bool? terminating, bool wantReady, bool wantServing, bool wantTerminating)
    {
        var endpoint = Assert.Single(EndpointSliceEndpoints.From([Slice("s", [("http", 8080)], Endpoint("10.0.0.1", ready, serving, terminating, "web-1"))], "http"));

        Assert.Equal(new ClusterEndpoint("10.0.0.1:8080", "web-1", "10.0.0.1", 8080, wantReady, wantServing, wantTerminating), endpoint);
    }

    [Theory]
    [InlineData("metrics", 9090)]
    [InlineData("9090", 9090)]
    [InlineData(null, 8080)]
    public void From_Port_ByNameNumberOrFirst(string? port, int want)
    {
        var slice = Slice("s", [("http", 8080), ("metrics", 9090)], Endpoint("10.0.0.1", true));

        Assert.Equal(want, Assert.Single(EndpointSliceEndpoints.From([slice], port)).Port);
    }

    [Fact]
    public void From_SliceWithoutThePort_Skipped() =>
        Assert.Empty(EndpointSliceEndpoints.From([Slice("s", [("http", 8080)], Endpoint("10.0.0.1", true))], "grpc"));

    [Fact]
    public void From_AddressInTwoSlices_CountsOnceWithItsMostAvailableConditions()
    {
        var endpoints = EndpointSliceEndpoints.From(
            [
                Slice("old", [("http", 8080)], Endpoint("10.0.0.1", false, false, false)),
                Slice("new", [("http", 8080)], Endpoint("10.0.0.1", true), Endpoint("10.0.0.2", true)),
            ],
            "http");

        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080"], endpoints.Select(e => e.Key));
        Assert.True(endpoints[0].Ready);
        Assert.Equal("10.0.0.2", endpoints[1].PodName);
    }
}
