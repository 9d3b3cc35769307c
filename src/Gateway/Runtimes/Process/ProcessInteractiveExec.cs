using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Runtimes.Process;

/// <summary>
/// <c>kubectl exec</c> in a Process container: the command (argv, no shell) as a host process in the
/// container's working folder with the container's environment, in a session of its own, its stdin,
/// stdout and stderr on pipes, or all three on a pseudo-terminal (its controlling terminal) when
/// asked for one. Once the command has exited and its output has been read (or has had
/// <see cref="OutputGrace"/> to be), what it left running in its session is killed: an exec does not
/// leave processes behind that the container's stop would not reach.
/// </summary>
internal sealed class ProcessInteractiveExec : IExecSession
{
    /// <summary>How long output is still read once the command has exited, for a child it left behind that holds the pipes or the terminal.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    /// <summary>The terminal's end-of-file character (Ctrl-D): how a closed stdin reaches a command that reads a terminal.</summary>
    private static readonly byte[] EndOfFile = [4];

    private readonly int _pid;
    private readonly int _pidfd;
    private readonly FileStream? _stdin;
    private readonly PseudoTerminal? _terminal;
    private readonly FileStream[] _outputs;
    private int _stdinClosed;

    private ProcessInteractiveExec(int pid, int pidfd, FileStream? stdin, PseudoTerminal? terminal, FileStream[] outputs, ExecOutput output)
    {
        _pid = pid;
        _pidfd = pidfd;
        _stdin = stdin;
        _terminal = terminal;
        _outputs = outputs;
        var pumps = outputs.Length == 1
            ? [PumpAsync(outputs[0], ExecStream.Stdout, output)]
            : new[] { PumpAsync(outputs[0], ExecStream.Stdout, output), PumpAsync(outputs[1], ExecStream.Stderr, output) };
        Completion = FinishAsync(Task.WhenAll(pumps));
    }

    public Task<int> Completion { get; }

    /// <summary>Starts <paramref name="spec"/>'s command; throws <see cref="ExecStartException"/> with runc's words when it cannot.</summary>
    public static IExecSession Start(ExecSpec spec, ExecOutput output, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfZero(spec.Command.Count);
        var name = spec.Command[0];
        var program = ProcessExec.FindProgram(name, workingDirectory, environment)
            ?? throw new ExecStartException(name.Contains('/', StringComparison.Ordinal)
                ? $"exec: \"{name}\": stat {name}: no such file or directory"
                : $"exec: \"{name}\": executable file not found in $PATH");
        return spec.Tty ? StartOnTerminal(spec, output, program, workingDirectory, environment) : StartOnPipes(spec, output, program, workingDirectory, environment);
    }

    private static unsafe ProcessInteractiveExec StartOnTerminal(ExecSpec spec, ExecOutput output, string program, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var terminal = PseudoTerminal.Open(spec.Size);
        try
        {
            var (pid, pidfd) = Spawn(program, spec, environment, workingDirectory, fileActions =>
            {
                // Opened after setsid, without O_NOCTTY: the slave becomes the command's controlling terminal.
                Check(Libc.FileActionsAddOpen(fileActions, 0, terminal.SlavePath, 2, 0), "posix_spawn_file_actions_addopen");
                Check(Libc.FileActionsAddDup2(fileActions, 0, 1), "posix_spawn_file_actions_adddup2");
                Check(Libc.FileActionsAddDup2(fileActions, 0, 2), "posix_spawn_file_actions_adddup2");
            });

            // posix_spawn returns once the child has exec'd, so it holds the slave now.
            terminal.CloseSlave();
            // Two streams on two fds of the master: reads and writes go on at the same time.
            var input = spec.Stdin ? new FileStream(terminal.DuplicateMaster(), FileAccess.Write, bufferSize: 0) : null;
            return new ProcessInteractiveExec(pid, pidfd, input, terminal, [new FileStream(terminal.Master, FileAccess.Read, bufferSize: 0)], output);
        }
        catch
        {
            terminal.Dispose();
            throw;
        }
    }

    private static unsafe ProcessInteractiveExec StartOnPipes(ExecSpec spec, ExecOutput output, string program, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var opened = new List<int>();
        try
        {
            var stdin = spec.Stdin ? Pipe(opened) : (Read: -1, Write: -1);
            var stdout = Pipe(opened);
            var stderr = Pipe(opened);
            var (pid, pidfd) = Spawn(program, spec, environment, workingDirectory, fileActions =>
            {
                Check(stdin.Read >= 0
                    ? Libc.FileActionsAddDup2(fileActions, stdin.Read, 0)
                    : Libc.FileActionsAddOpen(fileActions, 0, "/dev/null", Libc.O_RDONLY, 0), "posix_spawn_file_actions_adddup2");
                Check(Libc.FileActionsAddDup2(fileActions, stdout.Write, 1), "posix_spawn_file_actions_adddup2");
                Check(Libc.FileActionsAddDup2(fileActions, stderr.Write, 2), "posix_spawn_file_actions_adddup2");
            });

            // The child's ends are the child's now: the gateway's copies would hold the pipes open.
            foreach (var fd in new[] { stdin.Read, stdout.Write, stderr.Write }.Where(fd => fd >= 0))
            {
                _ = Libc.Close(fd);
                opened.Remove(fd);
            }

            return new ProcessInteractiveExec(pid, pidfd, stdin.Write >= 0 ? Stream(stdin.Write, FileAccess.Write) : null, null,
                [Stream(stdout.Read, FileAccess.Read), Stream(stderr.Read, FileAccess.Read)], output);
        }
        catch
        {
            foreach (var fd in opened)
            {
                _ = Libc.Close(fd);
            }

            throw;
        }
    }

    public async ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_stdin is null || Volatile.Read(ref _stdinClosed) != 0)
        {
            return;
        }

        try
        {
            await _stdin.WriteAsync(data, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The command closed its stdin or has exited: what is left of the input has no reader, as with a pipe.
        }
    }

    public async ValueTask CloseStdinAsync()
    {
        if (_stdin is null || Interlocked.Exchange(ref _stdinClosed, 1) != 0)
        {
            return;
        }

        if (_terminal is null)
        {
            _stdin.Dispose();
            return;
        }

        try
        {
            await _stdin.WriteAsync(EndOfFile);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The terminal has hung up: nobody reads it any more.
        }
    }

    public Task ResizeAsync(TerminalSize size, CancellationToken cancellationToken)
    {
        _terminal?.Resize(size);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted)
        {
            // The client went away with the command still running: it ends with the session, as a hung-up terminal's would.
            Signals.SendToGroup(_pid, Signals.SIGKILL);
        }

        await ((Task)Completion).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<int> FinishAsync(Task output)
    {
        try
        {
            // Waited for without reaping: while the command is a zombie its pid, its session's and group's id, cannot be reused.
            await Task.Factory.StartNew(() => WaitForExit(Libc.WEXITED | Libc.WNOWAIT), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await output.WaitAsync(OutputGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Signals.SendToGroup(_pid, Signals.SIGKILL);
            await output.WaitAsync(OutputGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return WaitForExit(Libc.WEXITED);
        }
        finally
        {
            _ = Libc.Close(_pidfd);
            if (_stdin is not null)
            {
                await _stdin.DisposeAsync();
            }

            foreach (var stream in _outputs)
            {
                await stream.DisposeAsync();
            }

            _terminal?.Dispose();
        }
    }

    /// <summary>Blocks until the command has exited; its exit code as a shell reports it (a signal's end is 128 + the signal).</summary>
    private unsafe int WaitForExit(int options)
    {
        var siginfo = stackalloc byte[Libc.SiginfoSize];
        while (true)
        {
            new Span<byte>(siginfo, Libc.SiginfoSize).Clear();
            if (Libc.Waitid(Libc.P_PIDFD, (uint)_pidfd, siginfo, options) == 0)
            {
                var code = *(int*)(siginfo + 8);
                var status = *(int*)(siginfo + 24);
                return code == Libc.CLD_EXITED ? status : 128 + status;
            }

            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
            {
                return -1;
            }
        }
    }

    /// <summary>Copies one output of the command to <paramref name="output"/> until it ends (end of file, or EIO once a terminal has hung up).</summary>
    private static async Task PumpAsync(FileStream source, ExecStream stream, ExecOutput output)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer)) > 0)
            {
                await output(stream, buffer.AsMemory(0, read), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A hung-up terminal, or the client is gone: the output ends here.
        }
    }

    private static (int Pid, int Pidfd) Spawn(string program, ExecSpec spec, IReadOnlyDictionary<string, string> environment, string workingDirectory, ProcessSpawn.StreamActions addStreams) =>
        ProcessSpawn.Spawn(program, spec.Command, environment, workingDirectory, addStreams, message => new ExecStartException(message));

    /// <summary>A pipe, both ends close-on-exec (the child gets its end through dup2) and blocking; its fds are added to <paramref name="opened"/>.</summary>
    private static unsafe (int Read, int Write) Pipe(List<int> opened)
    {
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw new ExecStartException($"cannot create the command's pipes: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        opened.Add(fds[0]);
        opened.Add(fds[1]);
        return (fds[0], fds[1]);
    }

    private static FileStream Stream(int fd, FileAccess access) => new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new ExecStartException($"{call}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }
}
