using Gateway.Probes;
using Gateway.Runtimes;
using k8s.Models;

namespace Gateway.Tests.Probes;

public sealed class ProberTests : IDisposable
{
    private readonly Prober _prober = new(TimeProvider.System);

    public void Dispose() => _prober.Dispose();

    [Fact]
    public async Task ProbeAsync_HandlerKeepsErroring_TriesThreeTimesAndReturnsError()
    {
        var calls = 0;
        var target = Target((_, _, _) =>
        {
            calls++;
            throw new InvalidOperationException("runtime error");
        });

        var outcome = await _prober.ProbeAsync(ExecProbe("true"), target, default);

        Assert.True(outcome.IsError);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task ProbeAsync_ErrorThenSuccess_ReturnsSuccess()
    {
        var calls = 0;
        var target = Target((_, _, _) => ++calls < 3
            ? throw new InvalidOperationException("runtime error")
            : Task.FromResult(new ExecResult(0, "ok", TimedOut: false)));

        var outcome = await _prober.ProbeAsync(ExecProbe("true"), target, default);

        Assert.Equal(ProbeOutcome.Success("ok"), outcome);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task ProbeAsync_Failure_NotRetried()
    {
        var calls = 0;
        var target = Target((_, _, _) =>
        {
            calls++;
            return Task.FromResult(new ExecResult(1, "bad", TimedOut: false));
        });

        var outcome = await _prober.ProbeAsync(ExecProbe("false"), target, default);

        Assert.Equal(ProbeOutcome.Failure("bad"), outcome);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ProbeAsync_TimeoutSeconds_PassedToHandlerWithDefaultOfOne()
    {
        var timeouts = new List<TimeSpan>();
        var target = Target((_, timeout, _) =>
        {
            timeouts.Add(timeout);
            return Task.FromResult(new ExecResult(0, "", TimedOut: false));
        });
        var withTimeout = ExecProbe("true");
        withTimeout.TimeoutSeconds = 7;

        await _prober.ProbeAsync(ExecProbe("true"), target, default);
        await _prober.ProbeAsync(withTimeout, target, default);

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7)], timeouts);
    }

    [Fact]
    public async Task ProbeAsync_CallerCancels_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        var target = Target((_, _, cancellationToken) =>
        {
            cancellation.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(new ExecResult(0, "", TimedOut: false));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _prober.ProbeAsync(ExecProbe("true"), target, cancellation.Token));
    }

    [Fact]
    public async Task ProbeAsync_NoHandler_IsError()
    {
        var outcome = await _prober.ProbeAsync(new V1Probe(), Target((_, _, _) => throw new InvalidOperationException()), default);

        Assert.True(outcome.IsError);
    }

    private static V1Probe ExecProbe(params string[] command) => new() { Exec = new V1ExecAction { Command = command } };

    private static ProbeTarget Target(ContainerExec exec) => new() { PodIp = "127.0.0.1", Exec = exec };
}
