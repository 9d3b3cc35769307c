namespace Gateway.Runtimes.Process;

/// <summary>
/// The Process runtime's pod networks (Pod mode): the pod's namespace is a file in the state folder
/// (<see cref="NetworkNamespaceFiles"/>); each container is spawned in it, and so is each command
/// exec'd in one, through <c>nsenter --net</c>.
/// </summary>
internal sealed partial class ProcessRuntime : IPodNetworkRuntime
{
    private NetworkNamespaceFiles? _networkFiles;

    // In Gateway:StateDirectory, not in this gateway's own runtime folder: the next gateway adopts
    // the pods with their namespaces (their records are there too).
    private NetworkNamespaceFiles NetworkFiles => _networkFiles ??= NetworkNamespaceFiles.For(catalog.Current.StateDirectory);

    /// <summary>Where pod <paramref name="podUid"/>'s namespace file is when it has one (as <see cref="NetworkNamespaceFiles.PathOf"/>), on any host.</summary>
    private string NetworkFileOf(string podUid) => Path.Combine(catalog.Current.StateDirectory, "netns", podUid);

    public Task<string> CreatePodNetworkAsync(ContainerLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var path = NetworkFiles.PathOf(launch.PodUid);
        return Task.Run(() =>
        {
            NetworkFiles.Create(path);
            return path;
        }, cancellationToken);
    }

    public Task RemovePodNetworkAsync(string podUid)
    {
        if (_networkFiles is { } files)
        {
            NetworkNamespaceFiles.Remove(files.PathOf(podUid));
        }

        return Task.CompletedTask;
    }

    /// <summary><paramref name="spawned"/> as it is started in the pod's namespace (the program by its path: nsenter execs it).</summary>
    private ProcessMounts.Spawned InPodNetwork(ContainerLaunch launch, ProcessMounts.Spawned spawned) =>
        launch.NetworkNamespace is not { } path ? spawned
        : spawned with { Program = NetworkFiles.Nsenter, Argv = NetworkFiles.Enter(path, [spawned.Program, .. spawned.Argv.Skip(1)]) };

    /// <summary>How a command exec'd in <paramref name="launch"/>'s container enters the pod's namespace; null: none to enter.</summary>
    private Func<IReadOnlyList<string>, IReadOnlyList<string>>? EnterNetwork(ContainerLaunch launch) =>
        launch.NetworkNamespace is not { } path ? null : command => NetworkFiles.Enter(path, command);
}
