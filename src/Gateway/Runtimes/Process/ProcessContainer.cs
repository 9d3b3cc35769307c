using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// One container instance as a host process group. Stop is SIGTERM to the group, SIGKILL when the
/// grace period runs out; when the main process exits, what is left of its group is killed, as a
/// container runtime tears down the container's cgroup.
/// </summary>
internal sealed class ProcessContainer : IContainerInstance
{
    private readonly System.Diagnostics.Process _process;
    private readonly ContainerLog _log = new();
    private readonly string _workingDirectory;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly TaskCompletionSource<ContainerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly int _pid;

    private ProcessContainer(System.Diagnostics.Process process, string workingDirectory, IReadOnlyDictionary<string, string> environment, ILogger logger)
    {
        _process = process;
        _workingDirectory = workingDirectory;
        _environment = environment;
        _logger = logger;
        _pid = process.Id;
        Id = $"{_pid}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string Id { get; }

    /// <summary>The main process's id, which is also its process group's id.</summary>
    public int ProcessId => _pid;

    public Task<ContainerExit> Exited => _exited.Task;

    /// <summary>Starts the instance with exactly <paramref name="environment"/> (see <see cref="ProcessEnvironment"/>); its exec commands get the same.</summary>
    public static ProcessContainer Start(ContainerLaunch launch, IReadOnlyDictionary<string, string> environment, string workingDirectory, string? setsid, ILogger logger)
    {
        var info = new ProcessStartInfo
        {
            FileName = setsid ?? launch.Argv[0],
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in setsid is null ? launch.Argv.Skip(1) : launch.Argv)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new ContainerStartException($"exec: \"{launch.Argv[0]}\": {e.Message}", e);
        }

        process.StandardInput.Close();
        var container = new ProcessContainer(process, workingDirectory, environment, logger);

        // Not BeginOutputReadLine: its readers keep about 11 KB of buffers per process for as long
        // as it runs (measured with a heap snapshot at 1,000 pods); these keep 256 bytes each.
        _ = new OutputLines(container._log).CopyFromAsync(process.StandardOutput.BaseStream);
        _ = new OutputLines(container._log).CopyFromAsync(process.StandardError.BaseStream);
        _ = container.WatchAsync();
        return container;
    }

    private async Task WatchAsync()
    {
        await _process.WaitForExitAsync();
        var code = _process.ExitCode;

        // The main process is gone: nothing of the container may outlive it.
        Signals.SendToGroup(_pid, Signals.SIGKILL);
        _logger.LogDebug("process {Pid} exited with {ExitCode}", _pid, code);
        _exited.TrySetResult(ContainerExit.FromCode(code));
    }

    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        Signals.SendToGroup(_pid, Signals.SIGTERM);
        try
        {
            await _exited.Task.WaitAsync(gracePeriod, cancellationToken);
        }
        catch (TimeoutException)
        {
            Signals.SendToGroup(_pid, Signals.SIGKILL);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    public Task<ExecResult> ExecAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        ProcessExec.RunAsync(command, _workingDirectory, _environment, timeout, 10 * 1024, cancellationToken);

    public string ReadLog() => _log.ToString();

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            Signals.SendToGroup(_pid, Signals.SIGKILL);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    /// <summary>
    /// One of the container's output pipes into its log, line by line as <see cref="StreamReader.ReadLine"/>
    /// splits them (<c>\n</c>, <c>\r</c> or <c>\r\n</c>; the last line even without one). While the
    /// pipe is idle it holds a 256-byte buffer; while output keeps coming, a pooled one.
    /// </summary>
    internal sealed class OutputLines(ContainerLog log)
    {
        internal const int IdleBufferSize = 256;
        private const int BusyBufferSize = 16 * 1024;

        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private StringBuilder? _line;
        private bool _lastWasCarriageReturn;

        public async Task CopyFromAsync(Stream source)
        {
            var idle = new byte[IdleBufferSize];
            try
            {
                int read;
                while ((read = await source.ReadAsync(idle)) > 0)
                {
                    Add(idle.AsSpan(0, read));
                    if (read == idle.Length)
                    {
                        await CopyBurstAsync(source);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // The process object was disposed while something still held the pipe open.
            }

            Flush();
        }

        /// <summary>Output that fills the small buffer: read with a pooled one until a read comes back short.</summary>
        private async Task CopyBurstAsync(Stream source)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BusyBufferSize);
            try
            {
                int read;
                do
                {
                    read = await source.ReadAsync(buffer);
                    Add(buffer.AsSpan(0, read));
                }
                while (read == buffer.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        internal void Add(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty)
            {
                return;
            }

            Span<char> chars = stackalloc char[512];
            while (!bytes.IsEmpty)
            {
                _decoder.Convert(bytes, chars, flush: false, out var bytesUsed, out var charsUsed, out _);
                bytes = bytes[bytesUsed..];
                AddChars(chars[..charsUsed]);
            }
        }

        internal void Flush()
        {
            Span<char> chars = stackalloc char[8];
            _decoder.Convert([], chars, flush: true, out _, out var charsUsed, out _);
            AddChars(chars[..charsUsed]);
            if (_line is { Length: > 0 })
            {
                log.Append(_line.ToString());
                _line.Clear();
            }
        }

        private void AddChars(ReadOnlySpan<char> chars)
        {
            while (!chars.IsEmpty)
            {
                if (_lastWasCarriageReturn)
                {
                    _lastWasCarriageReturn = false;
                    if (chars[0] == '\n')
                    {
                        chars = chars[1..];
                        continue;
                    }
                }

                var end = chars.IndexOfAny('\r', '\n');
                if (end < 0)
                {
                    (_line ??= new StringBuilder()).Append(chars);
                    return;
                }

                if (_line is { Length: > 0 })
                {
                    log.Append(_line.Append(chars[..end]).ToString());
                    _line.Clear();
                }
                else
                {
                    log.Append(new string(chars[..end]));
                }

                _lastWasCarriageReturn = chars[end] == '\r';
                chars = chars[(end + 1)..];
            }
        }
    }
}
