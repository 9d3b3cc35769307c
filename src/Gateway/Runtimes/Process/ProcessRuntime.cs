using System.Collections.Immutable;
using Gateway.Specs;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The embedded runtime: each container instance is a host process started from its argv without a
/// shell, in a session and process group of its own and in a working folder of its own,
/// with its own environment only (see <see cref="ProcessEnvironment"/>), and, where the host allows
/// it, in a private mount namespace with its volumes and a fresh /tmp (see <see cref="ProcessMounts"/>).
/// </summary>
/// <remarks>
/// Each instance runs under its monitor (<see cref="MonitorSpawn"/>), and each pod has a record in the
/// state folder (<see cref="PodRecords"/>), rewritten when one of its instances starts: a gateway that
/// stops without stopping its pods (a crash, SIGKILL, <c>Gateway:KeepPodsOnShutdown</c>) leaves them
/// running, and the next one adopts them (<see cref="AdoptAsync"/>).
/// </remarks>
internal sealed partial class ProcessRuntime(ProcessRuntimeOptions options, ServiceCatalog catalog, ILoggerFactory loggerFactory) : IContainerRuntime, IPodVolumesRuntime, IAdoptingRuntime
{
    private readonly ProcessMounts _mounts = new(options, catalog, loggerFactory.CreateLogger<ProcessMounts>());
    private readonly ILogger _logger = loggerFactory.CreateLogger<ProcessRuntime>();
    private readonly PodRecords _records = PodRecords.In(catalog.Current.StateDirectory);
    private readonly Lock _lock = new();

    /// <summary>The records of this gateway's pods, by uid; each is written whole when it changes.</summary>
    private readonly Dictionary<string, PodRecord> _pods = new(StringComparer.Ordinal);

    /// <summary>The pod is gone: its volumes, and its record (no later gateway must adopt it).</summary>
    public void RemovePodVolumes(string podUid)
    {
        _mounts.Volumes.Remove(podUid);
        lock (_lock)
        {
            _pods.Remove(podUid);
            _records.Remove(podUid);
        }
    }

    public Task<IContainerInstance> StartAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Argv.Count == 0)
        {
            throw new ContainerStartException($"container \"{launch.Container.Name}\" has no command and no args: the Process runtime needs a program to run");
        }

        var workingDirectory = launch.Container.WorkingDir;
        if (string.IsNullOrEmpty(workingDirectory))
        {
            workingDirectory = Path.Combine(options.StateDirectory, "pods", launch.PodName, launch.Container.Name);
            Directory.CreateDirectory(workingDirectory);
        }
        else if (!Directory.Exists(workingDirectory))
        {
            throw new ContainerStartException($"workingDir \"{workingDirectory}\" of container \"{launch.Container.Name}\" does not exist");
        }

        var environment = ProcessEnvironment.For(launch.Environment, ProcessEnvironment.OfThisProcess(), catalog.Current.InheritEnvironment);
        // As execvp finds it: a name with a slash is a path (from the working folder, where the
        // process starts), any other name is looked up on the container's own PATH.
        var program = launch.Argv[0];
        if (program.Contains('/', StringComparison.Ordinal))
        {
            if (!File.Exists(Path.Combine(workingDirectory, program)))
            {
                throw new ContainerStartException($"exec: \"{program}\": no such file or directory");
            }
        }
        else
        {
            program = FindOnPath(program, environment.GetValueOrDefault("PATH"))
                ?? throw new ContainerStartException($"exec: \"{program}\": executable file not found in $PATH");
        }

        var cgroup = InstanceCgroup.Create(options.Cgroups, launch); // resources.limits, enforced
        ProcessContainer container;
        var monitor = options.Monitor;
        try
        {
            var command = InPodNetwork(launch, _mounts.Command(launch, program));
            container = monitor is not null && launch.LogFile is not null
                ? ProcessContainer.StartMonitored(monitor, launch, command, environment, workingDirectory, loggerFactory.CreateLogger<ProcessContainer>(), cgroup)
                : ProcessContainer.Start(launch, command, environment, workingDirectory, loggerFactory.CreateLogger<ProcessContainer>(), cgroup);
            container.EnterNetwork = EnterNetwork(launch);
        }
        catch (ContainerStartException)
        {
            cgroup?.Remove();
            throw;
        }

        if (container.Monitor is null)
        {
            // The gateway holds its pipes: it ends with the gateway, and the next one reaps what is left.
            OrphanReaper.Record(options.StateDirectory, container.ProcessId);
            _ = container.Exited.ContinueWith(_ => OrphanReaper.Forget(options.StateDirectory, container.ProcessId), TaskScheduler.Default);
        }
        else
        {
            Record(launch, container);
        }

        return Task.FromResult<IContainerInstance>(container);
    }

    /// <summary>The pod's record with this instance as its container's current one, written at once.</summary>
    private void Record(ContainerLaunch launch, ProcessContainer container)
    {
        var (monitorPid, monitorStart, appStart, logFile, exitFile) = container.Monitor!.Value;
        var entry = new ContainerRecord
        {
            Name = launch.Container.Name,
            InstanceId = container.Id,
            RestartCount = launch.RestartCount,
            StartedAt = DateTimeOffset.UtcNow,
            MonitorPid = monitorPid,
            MonitorStartTime = monitorStart,
            AppPid = container.ProcessId,
            AppStartTime = appStart,
            LogFile = logFile,
            ExitFile = exitFile,
            Ports = launch.Ports,
        };
        PodRecord record;
        lock (_lock)
        {
            record = _pods.TryGetValue(launch.PodUid, out var known)
                ? known with { Containers = [.. known.Containers.Where(c => c.Name != entry.Name), entry], TemplateHash = launch.TemplateHash }
                : new PodRecord
                {
                    Namespace = launch.Namespace,
                    Name = launch.PodName,
                    Uid = launch.PodUid,
                    Service = launch.ServiceName,
                    TemplateHash = launch.TemplateHash,
                    Created = DateTimeOffset.UtcNow,
                    RuntimeDirectory = options.StateDirectory,
                    TerminationGracePeriodSeconds = catalog.Current.Services.FirstOrDefault(s => s.Name == launch.ServiceName)?.Pods?.PodSpec.TerminationGracePeriodSeconds ?? 30,
                    Containers = [entry],
                };
            _pods[launch.PodUid] = record;
            if (!_records.TryWrite(record, out var problem))
            {
                Log.RecordFailed(_logger, launch.PodName, problem!);
            }
        }
    }

    /// <summary>
    /// Takes over the pods an earlier gateway left running (see <see cref="ProcessAdoptionPlan"/>): the
    /// ones to adopt keep their names, uids, processes, restart counts and log files; the others are
    /// ended (their services changed or went: no traffic reaches them, so they are stopped at once,
    /// SIGTERM then SIGKILL after their grace period) and their records and logs removed. A recorded
    /// pid that is now another process's is left alone.
    /// </summary>
    public Task<IReadOnlyList<AdoptedPod>> AdoptAsync(IReadOnlyList<ServiceSpec> services, CancellationToken cancellationToken)
    {
        var decision = ProcessAdoptionPlan.Decide(services, _records.ReadAll(), ProcessStartTime.Is);
        foreach (var process in decision.Signal)
        {
            Log.EndingLeftover(_logger, process.Pod, process.Container, process.AppPid);
            _ = EndAsync(process);
        }

        var ended = decision.End.ToList();
        var adopted = new List<AdoptedPod>();
        foreach (var (service, record) in decision.Adopt)
        {
            // A pod of Pod network mode keeps its namespace (the file in the state folder): its
            // containers' exec commands enter it, and the pod manager gives the pod an IP in it again.
            var network = NetworkFileOf(record.Uid) is var path && File.Exists(path) ? path : null;
            var containers = new List<AdoptedContainer>();
            foreach (var entry in record.Containers)
            {
                if (ProcessContainer.Adopt(entry, _mounts.Namespace, loggerFactory.CreateLogger<ProcessContainer>()) is { } instance)
                {
                    if (network is not null)
                    {
                        instance.EnterNetwork = command => NetworkFiles.Enter(network, command);
                    }

                    containers.Add(new AdoptedContainer(entry.Name, instance, entry.RestartCount, entry.StartedAt, instance.TerminationMessageFile));
                }
            }

            if (containers.Count != record.Containers.Count)
            {
                // One ended between the decision and its adoption: the pod is a new one's to replace.
                foreach (var container in containers)
                {
                    _ = container.Instance.DisposeAsync().AsTask();
                }

                ended.Add(record);
                continue;
            }

            lock (_lock)
            {
                _pods[record.Uid] = record;
            }

            var ports = record.Containers.ToImmutableDictionary(c => c.Name, c => c.Ports.ToImmutableArray(), StringComparer.Ordinal);
            adopted.Add(new AdoptedPod(service.Name, record.Name, record.Uid, ports, containers) { NetworkNamespace = network });
        }

        foreach (var record in ended)
        {
            _records.Remove(record.Uid);
            if (NetworkFileOf(record.Uid) is var network && File.Exists(network))
            {
                NetworkNamespaceFiles.Remove(network); // its processes, ending, keep the namespace while they last
            }
        }

        return Task.FromResult<IReadOnlyList<AdoptedPod>>(adopted);
    }

    /// <summary>The runtime folders of earlier gateways that pods still running use (their working folders): not to be removed.</summary>
    public static IReadOnlySet<string> FoldersInUse(string stateDirectory) =>
        PodRecords.In(stateDirectory).ReadAll()
            .Where(r => r.Containers.Any(c => ProcessStartTime.Is(c.MonitorPid, c.MonitorStartTime)))
            .Select(r => r.RuntimeDirectory)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>SIGTERM to a leftover's group, SIGKILL after its grace period; each only while its leader is still the recorded process.</summary>
    private static async Task EndAsync(ProcessAdoptionPlan.ProcessToEnd process)
    {
        if (ProcessStartTime.Is(process.AppPid, process.AppStartTime))
        {
            Signals.SendToGroup(process.AppPid, Signals.SIGTERM);
        }

        var deadline = DateTimeOffset.UtcNow.AddSeconds(process.GracePeriodSeconds);
        while (ProcessStartTime.Is(process.AppPid, process.AppStartTime))
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                Signals.SendToGroup(process.AppPid, Signals.SIGKILL);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static string? FindOnPath(string program, string? path)
    {
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "pod {Pod}: {Problem}")]
        public static partial void RecordFailed(ILogger logger, string pod, string problem);

        [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "pod {Pod} container {Container}: process {Pid}, left running by an earlier gateway and not adopted, is stopped")]
        public static partial void EndingLeftover(ILogger logger, string pod, string container, int pid);
    }
}

/// <summary>Where the Process runtime keeps this gateway's state: the containers' working folders and its process-group records.</summary>
public sealed record ProcessRuntimeOptions(string StateDirectory)
{
    /// <summary>The host's cgroups, in which <c>resources.limits</c> are enforced; none: limits are refused when loaded, and a container with some fails to start.</summary>
    internal CgroupSupport? Cgroups { get; init; }

    /// <summary>The container monitor (gateway-shim, next to the gateway); null: the gateway holds the containers' pipes, and they end with it.</summary>
    public string? Monitor { get; init; } = MonitorSpawn.Find();

    /// <summary>The folder that holds one state folder per gateway process, named by its pid.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "gateway");

    public static ProcessRuntimeOptions ForThisProcess() =>
        new(Path.Combine(Root, System.Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))) { Cgroups = Process.Cgroups.Host };
}
