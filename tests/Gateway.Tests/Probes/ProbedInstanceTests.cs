using Gateway.Probes;
using Gateway.Specs;

namespace Gateway.Tests.Probes;

public sealed class ProbedInstanceTests
{
    [Theory]
    [InlineData(ProbeKind.Readiness, true, false, true)]
    [InlineData(ProbeKind.Liveness, true, false, true)]
    [InlineData(ProbeKind.Startup, true, false, true)]
    [InlineData(ProbeKind.Readiness, true, true, true)]
    [InlineData(ProbeKind.Liveness, true, true, false)]
    [InlineData(ProbeKind.Startup, true, true, false)]
    [InlineData(ProbeKind.Readiness, false, false, false)]
    [InlineData(ProbeKind.Liveness, false, false, false)]
    [InlineData(ProbeKind.Readiness, false, true, false)]
    public void IsProbedBy_CurrentAndTerminating_ReadinessAloneGoesOnDuringShutdown(ProbeKind kind, bool current, bool terminating, bool expected) =>
        Assert.Equal(expected, new ProbedInstance(current, Started: true, terminating).IsProbedBy(kind));
}
