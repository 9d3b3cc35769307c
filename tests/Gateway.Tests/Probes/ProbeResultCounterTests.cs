using Gateway.Specs;
using Gateway.Probes;

namespace Gateway.Tests.Probes;

public sealed class ProbeResultCounterTests
{
    [Theory]
    [InlineData(ProbeKind.Readiness, ProbeResult.Failure)]
    [InlineData(ProbeKind.Liveness, ProbeResult.Success)]
    [InlineData(ProbeKind.Startup, ProbeResult.Unknown)]
    public void InitialValue_PerKind_IsTheKubeletStartingValue(ProbeKind kind, ProbeResult expected)
    {
        Assert.Equal(expected, ProbeResultCounter.InitialValue(kind));
        Assert.Equal(expected, new ProbeResultCounter(kind, 1, 3).Result);
    }

    /// <summary>Runs are written S/F; expected is the cached result after each run and '*' where it changed.</summary>
    [Theory]
    [InlineData(ProbeKind.Liveness, 1, 3, "FF", "SS")]
    [InlineData(ProbeKind.Liveness, 1, 3, "FFF", "SSF*")]
    [InlineData(ProbeKind.Liveness, 1, 3, "FFSFF", "SSSSS")]
    [InlineData(ProbeKind.Liveness, 1, 3, "FFSFFF", "SSSSSF*")]
    [InlineData(ProbeKind.Liveness, 1, 1, "F", "F*")]
    [InlineData(ProbeKind.Liveness, 1, 3, "SSS", "SSS")]
    [InlineData(ProbeKind.Readiness, 1, 3, "S", "S*")]
    [InlineData(ProbeKind.Readiness, 1, 3, "FFFF", "FFFF")]
    [InlineData(ProbeKind.Readiness, 2, 3, "S", "F")]
    [InlineData(ProbeKind.Readiness, 2, 3, "SS", "FS*")]
    [InlineData(ProbeKind.Readiness, 2, 3, "SFS", "FFF")]
    [InlineData(ProbeKind.Readiness, 2, 3, "SFSS", "FFFS*")]
    [InlineData(ProbeKind.Readiness, 2, 3, "SSFFF", "FS*SSF*")]
    [InlineData(ProbeKind.Readiness, 1, 3, "SFFSFFF", "S*SSSSSF*")]
    [InlineData(ProbeKind.Startup, 1, 3, "S", "S*")]
    [InlineData(ProbeKind.Startup, 1, 3, "FF", "UU")]
    [InlineData(ProbeKind.Startup, 1, 3, "FFF", "UUF*")]
    [InlineData(ProbeKind.Startup, 1, 3, "FFS", "UUS*")]
    public void Observe_Runs_ChangesOnlyAtThreshold(ProbeKind kind, int successThreshold, int failureThreshold, string runs, string expected)
    {
        var counter = new ProbeResultCounter(kind, successThreshold, failureThreshold);

        var seen = string.Concat(runs.Select(r =>
        {
            var changed = counter.Observe(r == 'S' ? ProbeResult.Success : ProbeResult.Failure);
            return Letter(counter.Result) + (changed ? "*" : "");
        }));

        Assert.Equal(expected, seen);
    }

    private static string Letter(ProbeResult result) => result switch
    {
        ProbeResult.Success => "S",
        ProbeResult.Failure => "F",
        _ => "U",
    };
}
