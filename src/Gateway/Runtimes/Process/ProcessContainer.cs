namespace Gateway.Runtimes.Process;

/// <summary>
/// One container instance as a host process group. Stop is SIGTERM to the group, SIGKILL when the
/// grace period runs out; when the main process exits, what is left of its group is killed, as a
/// container runtime tears down the container's cgroup.
/// </summary>
internal sealed class ProcessContainer : IContainerInstance, IUsageReporting, IInteractiveExec
{
    private readonly ContainerLog _log;
    private readonly string _workingDirectory;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly TaskCompletionSource<ContainerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly int _pid;
    private InstanceCgroup? _cgroup;

    private readonly MountNamespace? _namespace;

    private ProcessContainer(int pid, string workingDirectory, IReadOnlyDictionary<string, string> environment, ContainerLog log, ILogger logger, MountNamespace? mountNamespace)
    {
        _log = log;
        _namespace = mountNamespace;
        _workingDirectory = workingDirectory;
        _environment = environment;
        _logger = logger;
        _pid = pid;
        Id = $"{_pid}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string Id { get; }

    /// <summary>The main process's id, which is also its process group's id.</summary>
    public int ProcessId => _pid;

    public Task<ContainerExit> Exited => _exited.Task;

    /// <summary>
    /// Starts the instance: <paramref name="program"/> (argv[0] as found on the container's
    /// <c>PATH</c> or in its working folder) with exactly <paramref name="environment"/> (see
    /// <see cref="ProcessEnvironment"/>); its exec commands get the same, in its mount namespace
    /// when <paramref name="command"/> made one.
    /// </summary>
    public static ProcessContainer Start(ContainerLaunch launch, ProcessMounts.Spawned command, IReadOnlyDictionary<string, string> environment, string workingDirectory, ILogger logger, InstanceCgroup? cgroup = null)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(command);
        var spawned = ProcessSpawn.Start(command.Program, command.Argv, environment, workingDirectory);
        cgroup?.Join(spawned.Pid); // at once, before anything else: see InstanceCgroup
        var container = new ProcessContainer(spawned.Pid, workingDirectory, environment, ContainerLog.For(launch, logger), logger, command.Namespace) { _cgroup = cgroup };
        ProcessWatcher.Shared.Watch(spawned, new OutputLines(container._log, LogStream.Stdout), new OutputLines(container._log, LogStream.Stderr), container.OnExited);
        return container;
    }

    /// <summary>On the watcher's thread, once the process is reaped and what it wrote is in the log.</summary>
    private void OnExited(ContainerExit exit)
    {
        exit = _cgroup?.Finish(exit) ?? exit; // OOMKilled, as the kubelet reports it
        _logger.LogDebug("process {Pid} exited with {ExitCode}", _pid, exit.ExitCode);
        _log.Complete();
        _exited.TrySetResult(exit);
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
        NotInNamespace(command) is { } missing
            ? Task.FromResult(new ExecResult(ProcessExec.ExitNotFound, missing, TimedOut: false))
            : ProcessExec.RunAsync(InNamespace(command), _workingDirectory, _environment, timeout, 10 * 1024, cancellationToken);

    public Task<IExecSession> StartExecAsync(ExecSpec spec, ExecOutput output, CancellationToken cancellationToken) =>
        NotInNamespace(spec.Command) is { } missing
            ? throw new ExecStartException(missing)
            : Task.FromResult(ProcessInteractiveExec.Start(spec with { Command = InNamespace(spec.Command) }, output, _workingDirectory, _environment));

    /// <summary>An exec'd command sees what the container sees: its mount namespace (its /tmp, its volumes).</summary>
    private IReadOnlyList<string> InNamespace(IReadOnlyList<string> command) =>
        EnterNetwork is { } enter ? enter(_namespace?.Enter(_pid, command) ?? command) : _namespace?.Enter(_pid, command) ?? command;

    /// <summary>How an exec'd command enters the pod's network namespace (Pod mode); null: the host's network.</summary>
    internal Func<IReadOnlyList<string>, IReadOnlyList<string>>? EnterNetwork { get; set; }

    /// <summary>Null, or runc's words for a command the container's mount namespace does not have.</summary>
    private string? NotInNamespace(IReadOnlyList<string> command) =>
        _namespace is null || command.Count == 0 || MountNamespace.Finds(_pid, command[0], _environment) ? null
        : command[0].Contains('/', StringComparison.Ordinal) ? $"exec: \"{command[0]}\": stat {command[0]}: no such file or directory"
        : $"exec: \"{command[0]}\": executable file not found in $PATH";

    public ContainerLog Log => _log;

    /// <summary>Null once the instance has exited: its group id may then be another process's.</summary>
    public Task<ContainerUsage?> ReadUsageAsync(CancellationToken cancellationToken) => Task.FromResult(_exited.Task.IsCompleted ? null : ProcessUsage.Read(_pid));

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            Signals.SendToGroup(_pid, Signals.SIGKILL);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
