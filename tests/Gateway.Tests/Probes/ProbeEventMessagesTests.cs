using Gateway.Probes;
using Gateway.Specs;

namespace Gateway.Tests.Probes;

/// <summary>The prober's events as the kubelet v1.32 words them (pkg/kubelet/prober/prober.go).</summary>
public sealed class ProbeEventMessagesTests
{
    [Theory]
    [InlineData(ProbeKind.Liveness, "strconv.Atoi: parsing \"http\": invalid syntax", "Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing \"http\": invalid syntax")]
    [InlineData(ProbeKind.Readiness, "probe could not run: no such container", "Readiness probe errored and resulted in unknown state: probe could not run: no such container")]
    [InlineData(ProbeKind.Startup, "invalid port number: 0", "Startup probe errored and resulted in unknown state: invalid port number: 0")]
    public void Errored_Kind_NamesTheUnknownStateAsTheKubelet(ProbeKind kind, string error, string expected) =>
        Assert.Equal(expected, ProbeEventMessages.Errored(kind, error));

    [Theory]
    [InlineData(ProbeKind.Liveness, "HTTP probe failed with statuscode: 500", "Liveness probe failed: HTTP probe failed with statuscode: 500")]
    [InlineData(ProbeKind.Readiness, "not ready yet\n", "Readiness probe failed: not ready yet")]
    [InlineData(ProbeKind.Startup, "dial tcp 127.0.0.1:8080: connect: connection refused", "Startup probe failed: dial tcp 127.0.0.1:8080: connect: connection refused")]
    public void Failed_Kind_OutputOnOneLine(ProbeKind kind, string output, string expected) =>
        Assert.Equal(expected, ProbeEventMessages.Failed(kind, output));

    [Fact]
    public void Warning_Redirect_AsTheKubelet() =>
        Assert.Equal("Readiness probe warning: Probe terminated redirects, Response body: moved",
            ProbeEventMessages.Warning(ProbeKind.Readiness, "Probe terminated redirects, Response body: moved"));
}
