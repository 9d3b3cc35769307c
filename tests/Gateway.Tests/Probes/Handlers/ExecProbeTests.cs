using Gateway.Probes;
using Gateway.Probes.Handlers;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Tests.Runtimes.Process;
using Gateway.Tests.TestSupport;
using k8s.Models;

namespace Gateway.Tests.Probes.Handlers;

public sealed class ExecProbeTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    // Generous where the timeout is not what is tested: process start, JIT and the first HTTP/2
    // connection can take most of a second while other test classes run in parallel.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    [Theory]
    [InlineData("true", ProbeResult.Success)]
    [InlineData("false", ProbeResult.Failure)]
    public async Task ProbeAsync_ExitCode_MapsToResult(string program, ProbeResult expected)
    {
        var outcome = await ExecProbe.ProbeAsync(Command(program), Target(), ProbeTimeout, default);

        Assert.Equal(expected, outcome.Result);
        Assert.False(outcome.IsError);
    }

    [Fact]
    public async Task ProbeAsync_PastTimeout_CommandKilledAndProbeFails()
    {
        // The command would run for a minute: only the kill at the timeout ends the probe within the safety net.
        var outcome = await ExecProbe.ProbeAsync(Command("sh", "-c", "sleep 60"), Target(), OneSecond, default).WaitAsync(ConditionSignal.SafetyNet);

        Assert.Equal(ProbeOutcome.Failure("command \"sh -c sleep 60\" timed out after 1s"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_Timeout_IsTheRuntimesTimeoutForTheCommand()
    {
        TimeSpan? given = null;
        var target = new ProbeTarget { PodIp = "127.0.0.1", Exec = (_, timeout, _) => { given = timeout; return Task.FromResult(new ExecResult(-1, "", TimedOut: true)); } };

        var outcome = await ExecProbe.ProbeAsync(Command("true"), target, TimeSpan.FromSeconds(3), default);

        Assert.Equal(TimeSpan.FromSeconds(3), given);
        Assert.Equal(ProbeOutcome.Failure("command \"true\" timed out after 3s"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_Variable_ExpandedFromContainerEnvironment()
    {
        var environment = new Dictionary<string, string> { ["GREETING"] = "hello" };

        var outcome = await ExecProbe.ProbeAsync(Command("echo", "$(GREETING)", "$(UNSET)", "$$(GREETING)"), Target(environment), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("hello $(UNSET) $(GREETING)\n"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_LargeOutput_KeptTo10KiB()
    {
        var outcome = await ExecProbe.ProbeAsync(Command("sh", "-c", "head -c 50000 /dev/zero | tr '\\0' a"), Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal(10 * 1024, outcome.Output.Length);
    }

    [Fact]
    public async Task ProbeAsync_RuntimeThrows_IsError()
    {
        var target = new ProbeTarget { PodIp = "127.0.0.1", Exec = (_, _, _) => throw new InvalidOperationException("container is gone") };

        var outcome = await ExecProbe.ProbeAsync(Command("true"), target, ProbeTimeout, default);

        Assert.True(outcome.IsError);
        Assert.Contains("container is gone", outcome.Output);
    }

    private static V1ExecAction Command(params string[] argv) => new() { Command = argv };

    /// <summary>A target whose exec runs host processes; the probe's environment is not the process's.</summary>
    private static ProbeTarget Target(IReadOnlyDictionary<string, string>? environment = null) => new()
    {
        PodIp = "127.0.0.1",
        Environment = environment ?? new Dictionary<string, string>(),
        Exec = (argv, timeout, cancellationToken) => ProcessExec.RunAsync(
            argv, Path.GetTempPath(), ProcessExecTests.HostEnvironment(), timeout, ProcessExec.DefaultOutputLimit, cancellationToken),
    };
}
