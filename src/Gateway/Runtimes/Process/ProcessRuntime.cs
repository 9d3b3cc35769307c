using Gateway.Specs;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The embedded runtime: each container instance is a host process started from its argv without a
/// shell, in a session and process group of its own and in a working folder of its own,
/// with its own environment only (see <see cref="ProcessEnvironment"/>), and, where the host allows
/// it, in a private mount namespace with its volumes and a fresh /tmp (see <see cref="ProcessMounts"/>).
/// </summary>
internal sealed partial class ProcessRuntime(ProcessRuntimeOptions options, ServiceCatalog catalog, ILoggerFactory loggerFactory) : IContainerRuntime, IPodVolumesRuntime
{
    private readonly ProcessMounts _mounts = new(options, catalog, loggerFactory.CreateLogger<ProcessMounts>());

    public void RemovePodVolumes(string podUid) => _mounts.Volumes.Remove(podUid);

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
        try
        {
            container = ProcessContainer.Start(launch, InPodNetwork(launch, _mounts.Command(launch, program)), environment, workingDirectory, loggerFactory.CreateLogger<ProcessContainer>(), cgroup);
            container.EnterNetwork = EnterNetwork(launch);
        }
        catch (ContainerStartException)
        {
            cgroup?.Remove();
            throw;
        }

        OrphanReaper.Record(options.StateDirectory, container.ProcessId);
        _ = container.Exited.ContinueWith(_ => OrphanReaper.Forget(options.StateDirectory, container.ProcessId), TaskScheduler.Default);
        return Task.FromResult<IContainerInstance>(container);
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
}

/// <summary>Where the Process runtime keeps this gateway's state: the containers' working folders and its process-group records.</summary>
public sealed record ProcessRuntimeOptions(string StateDirectory)
{
    /// <summary>The host's cgroups, in which <c>resources.limits</c> are enforced; none: limits are refused when loaded, and a container with some fails to start.</summary>
    internal CgroupSupport? Cgroups { get; init; }

    /// <summary>The folder that holds one state folder per gateway process, named by its pid.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "gateway");

    public static ProcessRuntimeOptions ForThisProcess() =>
        new(Path.Combine(Root, System.Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))) { Cgroups = Process.Cgroups.Host };
}
