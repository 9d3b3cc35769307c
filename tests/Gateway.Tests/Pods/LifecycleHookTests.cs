using Gateway.Pods;
using Gateway.Probes;
using Gateway.Runtimes;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using k8s.Models;

namespace Gateway.Tests.Pods;

public sealed class LifecycleHookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TrackingTimeProvider _time = new(T0);
    private readonly List<(IReadOnlyList<string> Command, TimeSpan Timeout)> _execs = [];
    private readonly RecordingProber _prober = new();

    private ExecResult _execResult = new(0, "", TimedOut: false);

    [Theory]
    [InlineData(5, 30, 5)]
    [InlineData(60, 10, 10)]
    [InlineData(10, 10, 10)]
    public async Task RunAsync_Sleep_WaitsItsSecondsOnTheClockButNoLongerThanTheGraceLeft(long sleepSeconds, int graceLeftSeconds, int expectedWaitSeconds)
    {
        var running = Run(new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = sleepSeconds } }, graceLeftSeconds);

        var timer = Assert.Single(_time.Timers);
        Assert.Equal(TimeSpan.FromSeconds(expectedWaitSeconds), timer.DueTime);
        _time.Advance(timer.DueTime);
        Assert.Null(await running.WaitAsync(ConditionSignal.SafetyNet));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task RunAsync_NoGraceLeft_FailsWithoutRunningTheHandler(int graceLeftSeconds)
    {
        var error = await Run(new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["true"] } }, graceLeftSeconds);

        Assert.Equal("no time left in the grace period", error);
        Assert.Empty(_execs);
    }

    [Fact]
    public async Task RunAsync_Exec_ExpandsFromTheContainersEnvironmentAndGetsTheGraceLeftAsTimeout()
    {
        var error = await Run(new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["drain", "$(TARGET)", "$(UNSET)", "$$(TARGET)"] } }, 25);

        Assert.Null(error);
        var (command, timeout) = Assert.Single(_execs);
        Assert.Equal(["drain", "queue-1", "$(UNSET)", "$(TARGET)"], command);
        Assert.Equal(TimeSpan.FromSeconds(25), timeout);
    }

    [Theory]
    [InlineData(0, "", false, null)]
    [InlineData(3, "busy\n", false, "command exited with 3: busy")]
    [InlineData(-1, "", true, "command timed out after 25s")]
    public async Task RunAsync_ExecResult_NullOnlyForExit0(int exitCode, string output, bool timedOut, string? expected)
    {
        _execResult = new ExecResult(exitCode, output, timedOut);

        var error = await Run(new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["drain"] } }, 25);

        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task RunAsync_ExecThrows_TheErrorIsItsMessage()
    {
        var target = new ProbeTarget { PodIp = "127.0.0.1", Exec = (_, _, _) => throw new InvalidOperationException("container is gone") };

        var error = await LifecycleHook.RunAsync(new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["drain"] } }, target, _prober, _time, T0.AddSeconds(25), CancellationToken.None);

        Assert.Equal("container is gone", error);
    }

    [Theory]
    [InlineData(25, 25)]
    [InlineData(0.5, 1)]
    public async Task RunAsync_HttpGet_ProbesTheActionWithTheGraceLeftAsTimeout(double graceLeftSeconds, int expectedTimeoutSeconds)
    {
        var action = new V1HTTPGetAction { Path = "/shutdown", Port = "8080" };

        var error = await LifecycleHook.RunAsync(new V1LifecycleHandler { HttpGet = action }, Target(), _prober, _time, T0.AddSeconds(graceLeftSeconds), CancellationToken.None);

        Assert.Null(error);
        var probe = Assert.Single(_prober.Probes);
        Assert.Same(action, probe.HttpGet);
        Assert.Equal(expectedTimeoutSeconds, probe.TimeoutSeconds);
    }

    public static TheoryData<ProbeOutcome, string?> HttpOutcomes => new()
    {
        { ProbeOutcome.Success("bye"), null },
        { ProbeOutcome.Failure("HTTP probe failed with statuscode: 503"), "HTTP probe failed with statuscode: 503" },
        { ProbeOutcome.Error("port name admin not found"), "port name admin not found" },
    };

    [Theory]
    [MemberData(nameof(HttpOutcomes))]
    public async Task RunAsync_HttpGetOutcome_NullOnlyForASuccessThatRan(ProbeOutcome outcome, string? expected)
    {
        _prober.Outcome = outcome;

        var error = await Run(new V1LifecycleHandler { HttpGet = new V1HTTPGetAction { Port = "8080" } }, 25);

        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task RunAsync_NoHandler_SucceedsAndRunsNothing()
    {
        var error = await Run(new V1LifecycleHandler(), 25);

        Assert.Null(error);
        Assert.Empty(_execs);
        Assert.Empty(_prober.Probes);
        Assert.Empty(_time.Timers);
    }

    private Task<string?> Run(V1LifecycleHandler hook, int graceLeftSeconds) =>
        LifecycleHook.RunAsync(hook, Target(), _prober, _time, T0.AddSeconds(graceLeftSeconds), CancellationToken.None);

    private ProbeTarget Target() => new()
    {
        PodIp = "127.0.0.1",
        Environment = new Dictionary<string, string> { ["TARGET"] = "queue-1" },
        Exec = (command, timeout, _) =>
        {
            _execs.Add((command, timeout));
            return Task.FromResult(_execResult);
        },
    };

    /// <summary>An <see cref="IProber"/> that keeps the probes it was asked to run and answers <see cref="Outcome"/>.</summary>
    private sealed class RecordingProber : IProber
    {
        public List<V1Probe> Probes { get; } = [];

        public ProbeOutcome Outcome { get; set; } = ProbeOutcome.Success();

        public Task<ProbeOutcome> ProbeAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
        {
            Probes.Add(probe);
            return Task.FromResult(Outcome);
        }
    }
}
