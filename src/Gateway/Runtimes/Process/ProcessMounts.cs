using Gateway.Specs;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The Process runtime's volumes and private /tmp: where the host allows a mount namespace
/// (<see cref="MountNamespaceHost"/>), every container instance is spawned in one of its own with
/// a fresh tmpfs on /tmp and its <c>volumeMounts</c> bound (<see cref="MountNamespace"/>); elsewhere
/// containers share the host's filesystem, said once in the log (as they do with
/// <c>Gateway:Process:PrivateTmp: false</c>, unless they mount volumes), and a pod with volumes is refused
/// when its service is loaded (<see cref="VolumeValidator.RefuseWithoutMountNamespace"/>).
/// </summary>
internal sealed class ProcessMounts
{
    private readonly MountNamespace? _namespace;
    private readonly ILogger _logger;
    private int _saidShared;

    public ProcessMounts(ProcessRuntimeOptions options, ServiceCatalog catalog, ILogger<ProcessMounts> logger)
        : this(options.StateDirectory, [options.StateDirectory, StateParent(catalog.Current.StateDirectory)], MountNamespaceHost.Current, logger)
    {
        _privateTmp = () => catalog.Current.PrivateTmp;
    }

    private readonly Func<bool> _privateTmp = () => true;

    /// <param name="stateDirectory">The Process runtime's state folder: volumes and the namespaces' stage go in it.</param>
    /// <param name="keep">The gateway's folders a container still sees at their paths when they are under /tmp (with the settings' folder of each launch).</param>
    /// <param name="host">What this host allows.</param>
    /// <param name="logger">Where the one line saying there is no private /tmp goes.</param>
    public ProcessMounts(string stateDirectory, IReadOnlyList<string> keep, MountNamespaceHost host, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(host);
        _logger = logger;
        Volumes = new PodVolumes(Path.Combine(stateDirectory, "volumes"));
        if (host.Available)
        {
            var stage = Path.Combine(stateDirectory, "mount-stage");
            Directory.CreateDirectory(stage);
            _namespace = new MountNamespace(host, stage, keep);
        }
        else
        {
            Problem = host.Problem;
        }
    }

    /// <summary>The pods' volume folders on the host.</summary>
    public PodVolumes Volumes { get; }

    /// <summary>The host's mount namespace support (null: none), for exec into an adopted instance's namespace.</summary>
    public MountNamespace? Namespace => _namespace;

    /// <summary>Why containers get no mount namespace of their own; null when they do.</summary>
    public string? Problem { get; }

    /// <summary>A command ready to spawn, and the namespace its exec commands enter (null: none).</summary>
    public sealed record Spawned(string Program, IReadOnlyList<string> Argv, MountNamespace? Namespace);

    /// <summary>
    /// What <paramref name="launch"/>'s container is spawned as (<paramref name="program"/> as found
    /// on its PATH). Its volumes are made first; throws <see cref="ContainerStartException"/> when
    /// one cannot be (with the kubelet's <c>CreateContainerConfigError</c>).
    /// </summary>
    public Spawned Command(ContainerLaunch launch, string program)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var privateTmp = _privateTmp();
        if (_namespace is null || (!privateTmp && launch.Container.VolumeMounts is not { Count: > 0 }))
        {
            if (launch.Container.VolumeMounts is { Count: > 0 })
            {
                throw new ContainerStartException($"container \"{launch.Container.Name}\" mounts volumes, which the Process runtime mounts only in a private mount namespace: {Problem}", reason: PodVolumes.CreateContainerConfigError);
            }

            if (_namespace is null && Interlocked.Exchange(ref _saidShared, 1) == 0)
            {
                _logger.LogWarning("Process containers share the host's /tmp and mount no volumes: no private mount namespace on this host ({Problem})", Problem);
            }

            return new Spawned(program, launch.Argv, null);
        }

        // posix_spawn would refuse it; in the namespace the shell's exec would, with an exit code instead.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new ContainerStartException($"exec: \"{launch.Argv[0]}\": Permission denied");
        }

        var binds = Volumes.Prepare(launch);
        // The settings' folder too (GATEWAY_CONFIG_DIR): files beside the manifests stay where the
        // spec says they are; and what the container's command line names under the host's /tmp.
        IEnumerable<string> settings = launch.Environment.TryGetValue("GATEWAY_CONFIG_DIR", out var folder) ? [folder] : [];
        var named = MountNamespace.NamedPaths(program, launch.Argv, launch.Container.WorkingDir, File.Exists, Directory.Exists);
        var keep = settings.Concat(named).Where(path => !_namespace.Keep.Contains(path)).Distinct(StringComparer.Ordinal).ToList();
        var mountNamespace = keep.Count > 0 ? _namespace with { Keep = [.. _namespace.Keep, .. keep] } : _namespace;
        return mountNamespace.Spawn(launch.Argv, binds, File.Exists, Path.Exists, privateTmp);
    }

    /// <summary>The folder that holds <c>Gateway:StateDirectory</c> (where the settings and manifests usually are), or the state folder itself when that is /tmp.</summary>
    private static string StateParent(string stateDirectory)
    {
        var full = Path.GetFullPath(stateDirectory);
        var parent = Path.GetDirectoryName(full.TrimEnd('/'));
        return parent is null || MountNamespace.UnderTmp(parent) is not { Length: > 0 } ? full : parent;
    }
}
