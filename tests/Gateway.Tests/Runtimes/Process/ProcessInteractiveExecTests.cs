using System.Text;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>Real host processes: an interactive exec's streams, exit code and terminal.</summary>
public sealed class ProcessInteractiveExecTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("process-interactive-exec-").FullName;
    private readonly Lock _lock = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ValueTask Collect(ExecStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            (stream == ExecStream.Stdout ? _stdout : _stderr).Append(Encoding.UTF8.GetString(data.Span));
        }

        return ValueTask.CompletedTask;
    }

    private IExecSession Start(bool stdin, bool tty, params string[] command) =>
        ProcessInteractiveExec.Start(new ExecSpec(command, stdin, tty, new TerminalSize(100, 30)), Collect, _directory, ProcessExecTests.HostEnvironment());

    [Fact]
    public async Task Start_Pipes_StdoutStderrAndExitCodeInTheWorkingFolder()
    {
        await using var session = Start(stdin: false, tty: false, "sh", "-c", "pwd; echo err >&2; exit 3");

        Assert.Equal(3, await session.Completion.WaitAsync(Bound));
        Assert.Equal($"{_directory}\n", _stdout.ToString());
        Assert.Equal("err\n", _stderr.ToString());
    }

    [Fact]
    public async Task Start_StdinWrittenThenClosed_TheCommandReadsItToItsEnd()
    {
        await using var session = Start(stdin: true, tty: false, "cat");

        await session.WriteStdinAsync("hi\n"u8.ToArray(), CancellationToken.None);
        await session.CloseStdinAsync();

        Assert.Equal(0, await session.Completion.WaitAsync(Bound));
        Assert.Equal("hi\n", _stdout.ToString());
    }

    [Fact]
    public async Task Start_Terminal_IsATtyOfTheSizeAsked_AndResizes()
    {
        await using var session = Start(stdin: true, tty: true, "sh");

        await session.WriteStdinAsync("[ -t 0 ] && echo tty-yes; stty size\n"u8.ToArray(), CancellationToken.None);
        await PollAsync(() => _stdout.ToString().Contains("30 100", StringComparison.Ordinal));
        await session.ResizeAsync(new TerminalSize(120, 40), CancellationToken.None);
        await session.WriteStdinAsync("stty size; exit 4\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal(4, await session.Completion.WaitAsync(Bound));
        Assert.Contains("tty-yes\r\n", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("40 120\r\n", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NoSuchProgram_ExecStartExceptionInRuncsWords()
    {
        var e = Assert.Throws<ExecStartException>(() => Start(stdin: false, tty: false, "no-such-program"));

        Assert.Equal("exec: \"no-such-program\": executable file not found in $PATH", e.Message);
    }

    [Fact]
    public async Task DisposeAsync_StillRunning_KillsTheCommand()
    {
        var session = Start(stdin: false, tty: false, "sleep", "60");

        await session.DisposeAsync();

        Assert.Equal(128 + 9, await session.Completion.WaitAsync(Bound));
    }

    private async Task PollAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            lock (_lock)
            {
                if (condition())
                {
                    return;
                }
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}
