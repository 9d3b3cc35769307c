using System.Diagnostics;

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
        process.OutputDataReceived += (_, e) => container.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => container.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = container.WatchAsync();
        return container;
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _log.Append(line);
        }
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
}
