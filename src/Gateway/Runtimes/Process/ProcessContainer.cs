namespace Gateway.Runtimes.Process;

/// <summary>
/// One container instance as a host process group. Stop is SIGTERM to the group, SIGKILL when the
/// grace period runs out; when the main process exits, what is left of its group is killed, as a
/// container runtime tears down the container's cgroup.
/// </summary>
/// <remarks>
/// Under a monitor (<see cref="MonitorSpawn"/>, the default) the instance's output and exit are the
/// monitor's files, so an instance outlives the gateway and the next gateway takes it over
/// (<see cref="Adopt"/>); without one (no gateway-shim next to the gateway) the gateway holds its pipes.
/// </remarks>
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

    /// <summary>The monitor's part, for a monitored instance: null when the gateway holds the pipes.</summary>
    private MonitorState? _monitor;

    /// <summary>A monitored instance's monitor and the files it writes.</summary>
    private sealed record MonitorState(int Pid, string StartTime, string AppStartTime, string ExitFile, MonitorLogFollower Follower);

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

    public string Id { get; private set; }

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

    /// <summary>
    /// Starts the instance under its monitor <paramref name="monitor"/>: its output goes to
    /// <c>launch.LogFile</c> (which it must have), written by the monitor and followed into its
    /// <see cref="Log"/>, and its exit is the monitor's exit file.
    /// </summary>
    public static ProcessContainer StartMonitored(string monitor, ContainerLaunch launch, ProcessMounts.Spawned command, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, ILogger logger, InstanceCgroup? cgroup = null)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(command);
        var logFile = launch.LogFile ?? throw new ArgumentException("a monitored instance needs a log file", nameof(launch));
        var spawned = MonitorSpawn.Start(monitor, logFile, command.Program, command.Argv, environment, workingDirectory);
        cgroup?.Join(spawned.MonitorPid); // the monitor and the app it forked, at once: see InstanceCgroup
        var container = new ProcessContainer(spawned.AppPid, workingDirectory, environment, new ContainerLog(), logger, command.Namespace) { _cgroup = cgroup };
        container.Watch(spawned.MonitorPid, spawned.MonitorPidfd, ProcessStartTime.Of(spawned.MonitorPid) ?? "", ProcessStartTime.Of(spawned.AppPid) ?? "",
            logFile.Path, fromOldest: false);
        return container;
    }

    /// <summary>
    /// Takes over an instance an earlier gateway started under a monitor, if its monitor is still the
    /// recorded process: its log is read from its files (from the oldest rotated one), its exit is its
    /// monitor's. Its working folder and environment are read from <c>/proc</c>, for exec. Null when
    /// the monitor is gone or is not the recorded one.
    /// </summary>
    public static ProcessContainer? Adopt(ContainerRecord record, MountNamespace? mountNamespace, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pidfd = Libc.PidfdOpen(record.MonitorPid);
        if (pidfd < 0)
        {
            return null;
        }

        // Checked with the pidfd open: it names the process that has this start time, not a later one with its pid.
        if (!ProcessStartTime.Is(record.MonitorPid, record.MonitorStartTime) || !ProcessStartTime.Is(record.AppPid, record.AppStartTime))
        {
            _ = Libc.Close(pidfd);
            return null;
        }

        var app = record.AppPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var workingDirectory = ReadLink($"/proc/{app}/cwd") ?? "/";
        var ownNamespace = ReadLink($"/proc/{app}/ns/mnt") != ReadLink("/proc/self/ns/mnt");
        var container = new ProcessContainer(record.AppPid, workingDirectory, EnvironmentOf(app), new ContainerLog(), logger, ownNamespace ? mountNamespace : null);
        container.Id = record.InstanceId;
        container.Watch(record.MonitorPid, pidfd, record.MonitorStartTime, record.AppStartTime, record.LogFile, fromOldest: true);
        return container;
    }

    /// <summary>The monitor's start time and the app's, as recorded for the next gateway.</summary>
    public (int Pid, string StartTime, string AppStartTime, string LogFile, string ExitFile)? Monitor =>
        _monitor is { } m ? (m.Pid, m.StartTime, m.AppStartTime, Path.ChangeExtension(m.ExitFile, ".log"), m.ExitFile) : null;

    private void Watch(int monitorPid, int monitorPidfd, string monitorStart, string appStart, string logFile, bool fromOldest)
    {
        _monitor = new MonitorState(monitorPid, monitorStart, appStart, MonitorSpawn.ExitFileOf(logFile), MonitorLogFollower.Start(logFile, _log, fromOldest));
        ProcessWatcher.Shared.WatchMonitor(monitorPidfd, OnMonitorExited);
    }

    /// <summary>On the watcher's thread, once the monitor has exited: its exit file holds the instance's exit, its log file all it wrote.</summary>
    private void OnMonitorExited()
    {
        var monitor = _monitor!;
        monitor.Follower.Finish();
        var exit = MonitorExit.Read(monitor.ExitFile, _pid);
        exit = _cgroup?.Finish(exit) ?? exit;
        _logger.LogDebug("process {Pid} exited with {ExitCode}", _pid, exit.ExitCode);
        _exited.TrySetResult(exit);
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: false)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The environment the process was started with (<c>/proc/PID/environ</c>); empty if unreadable.</summary>
    private static Dictionary<string, string> EnvironmentOf(string pid)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var variable in File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = variable.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    environment.TryAdd(variable[..equals], variable[(equals + 1)..]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return environment;
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

        SignalGroup(Signals.SIGTERM);
        try
        {
            await _exited.Task.WaitAsync(gracePeriod, cancellationToken);
        }
        catch (TimeoutException)
        {
            SignalGroup(Signals.SIGKILL);
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

    /// <summary>The file its app was told to write its termination message to (<c>TERMINATION_MESSAGE_PATH</c>); null if none.</summary>
    public string? TerminationMessageFile => _environment.GetValueOrDefault(Specs.PodSpecDefaults.TerminationMessagePathVariable);

    /// <summary>Null once the instance has exited: its group id may then be another process's.</summary>
    public Task<ContainerUsage?> ReadUsageAsync(CancellationToken cancellationToken) => Task.FromResult(_exited.Task.IsCompleted ? null : ProcessUsage.Read(_pid));

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            SignalGroup(Signals.SIGKILL);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// Signals the instance's process group. A monitored app is its monitor's child, not the gateway's:
    /// reaped by the monitor, its pid could be another process's by the time the gateway learns of it,
    /// so the group is signalled only while its leader is still the recorded process.
    /// </summary>
    private void SignalGroup(int signal)
    {
        if (_monitor is null || ProcessStartTime.Is(_pid, _monitor.AppStartTime))
        {
            Signals.SendToGroup(_pid, signal);
        }
    }
}
