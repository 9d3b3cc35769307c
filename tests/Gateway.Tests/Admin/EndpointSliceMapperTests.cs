using Gateway.Admin;
using Gateway.Routing;

namespace Gateway.Tests.Admin;

public sealed class EndpointSliceMapperTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToSlices_PodsAndStaticAddresses_OneSlicePerServiceAndPortAndATargetRefOnlyForPods()
    {
        Endpoint[] endpoints =
        [
            new("web", "web-abc-1", "web-abc-1/i1", "http://127.0.0.1:31001", Serving: true, Terminating: false),
            new("legacy", "127.0.0.1:5001", "legacy/127.0.0.1:5001", "http://127.0.0.1:5001", Serving: false, Terminating: false, HasPod: false),
            new("legacy", "127.0.0.1:5002", "legacy/127.0.0.1:5002", "http://127.0.0.1:5002", Serving: true, Terminating: false, HasPod: false),
        ];

        var slices = EndpointSliceMapper.ToSlices(endpoints, "default", T0);

        Assert.Equal(["legacy-5001", "legacy-5002", "web-31001"], slices.Select(s => s.Metadata.Name));
        var pod = Assert.Single(slices[2].Endpoints);
        Assert.Equal(("Pod", "web-abc-1"), (pod.TargetRef.Kind, pod.TargetRef.Name));
        Assert.All(slices.Take(2), s => Assert.Null(Assert.Single(s.Endpoints).TargetRef));
        Assert.Equal([false, true], slices.Take(2).Select(s => s.Endpoints[0].Conditions.Ready));
    }
}
