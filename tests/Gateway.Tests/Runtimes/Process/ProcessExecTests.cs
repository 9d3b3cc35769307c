using Gateway.Runtimes.Process;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Runtimes.Process;

public sealed class ProcessExecTests : IDisposable
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    // Generous where the timeout is not what is tested: process start, JIT and the first HTTP/2
    // connection can take most of a second while other test classes run in parallel.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);
    private readonly string _directory = Directory.CreateTempSubdirectory("process-exec-").FullName;

    public static Dictionary<string, string> HostEnvironment() => new(StringComparer.Ordinal)
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("true", 0)]
    [InlineData("false", 1)]
    public async Task RunAsync_Program_ReturnsExitCode(string program, int expected)
    {
        var result = await RunAsync([program], ProbeTimeout);

        Assert.Equal(expected, result.ExitCode);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task RunAsync_StdoutAndStderr_CapturedTogether()
    {
        var result = await RunAsync(["sh", "-c", "echo out; echo err >&2"], ProbeTimeout);

        Assert.Contains("out\n", result.Output);
        Assert.Contains("err\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_EnvironmentAndWorkingDirectory_AreTheGivenOnes()
    {
        var environment = HostEnvironment();
        environment["GREETING"] = "hello";

        var result = await ProcessExec.RunAsync(["sh", "-c", "echo $GREETING; pwd; echo ${HOME:-unset}"], _directory, environment, ProbeTimeout, ProcessExec.DefaultOutputLimit, default);

        Assert.Equal($"hello\n{_directory}\nunset\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_PastTimeout_KillsProcessTree()
    {
        // The child holds the write end of a FIFO the test reads: end of file there is the child's exit.
        var childAlive = Path.Combine(_directory, "child.alive");
        Assert.Equal(0, (await RunAsync(["mkfifo", childAlive], ProbeTimeout)).ExitCode);

        var run = RunAsync(["sh", "-c", $"sleep 60 3>{childAlive} & wait"], OneSecond);
        await using var fifo = await Task.Run(() => new FileStream(childAlive, FileMode.Open, FileAccess.Read)).WaitAsync(ConditionSignal.SafetyNet);
        var result = await run.WaitAsync(ConditionSignal.SafetyNet);

        Assert.True(result.TimedOut);
        Assert.Equal(-1, result.ExitCode);
        Assert.Equal(0, await fifo.ReadAsync(new byte[1]).AsTask().WaitAsync(ConditionSignal.SafetyNet));
    }

    [Fact]
    public async Task RunAsync_LargeOutput_TruncatedAtLimit()
    {
        var result = await RunAsync(["sh", "-c", "head -c 50000 /dev/zero | tr '\\0' a"], ProbeTimeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new string('a', ProcessExec.DefaultOutputLimit), result.Output);
    }

    [Fact]
    public async Task RunAsync_UnknownProgram_Exits127()
    {
        var result = await RunAsync(["no-such-program-for-probes"], ProbeTimeout);

        Assert.Equal(127, result.ExitCode);
        Assert.Equal("exec: \"no-such-program-for-probes\": executable file not found in $PATH", result.Output);
    }

    private Task<Gateway.Runtimes.ExecResult> RunAsync(string[] argv, TimeSpan timeout) =>
        ProcessExec.RunAsync(argv, _directory, HostEnvironment(), timeout, ProcessExec.DefaultOutputLimit, default);
}
