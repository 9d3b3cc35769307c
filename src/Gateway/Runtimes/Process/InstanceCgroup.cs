using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The cgroup of one container instance whose <c>resources.limits</c> set something: made before
/// the process starts, joined by its pid right after <c>posix_spawn</c> returns, read for an OOM
/// kill when it exits, then removed with whatever is left in it.
/// </summary>
/// <remarks>
/// The pid is written from the gateway, not by a wrapper in the child, and the process runs
/// unlimited until then: a shell has forked its first commands by the time the write lands (about a
/// millisecond). So the children it has by then, and theirs, are moved in too, each parent before
/// its children are listed (what a moved process forks later starts in the group). Only a process
/// orphaned in that window (a double fork that is over within the millisecond) stays out, and the
/// memory charged before the move stays charged where it was.
/// </remarks>
internal sealed class InstanceCgroup
{
    private readonly ICgroup _group;
    private string? _joinProblem;

    private InstanceCgroup(ICgroup group) => _group = group;

    /// <summary>
    /// The group for <paramref name="launch"/>, null when its limits set nothing. Throws
    /// <see cref="ContainerStartException"/> when the group cannot be made.
    /// </summary>
    public static InstanceCgroup? Create(CgroupSupport? host, ContainerLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var limits = CgroupLimits.From(launch.Container.Resources);
        if (limits.IsEmpty)
        {
            return null;
        }

        if (host?.Driver is not { } driver)
        {
            throw new ContainerStartException($"container \"{launch.Container.Name}\" has resources.limits but the gateway cannot make cgroups to enforce them ({host?.Problem ?? "not detected"})");
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"{launch.PodUid}-{launch.Container.Name}-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            return new InstanceCgroup(driver.Create(name, limits));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerStartException($"cannot make the cgroup for the resources.limits of container \"{launch.Container.Name}\" ({driver.Description}): {e.Message}");
        }
    }

    /// <summary>
    /// Moves the just-spawned <paramref name="pid"/> and its descendants in; when the process itself
    /// cannot be moved, kills it (an unlimited container must not run) and keeps why for its exit.
    /// </summary>
    public void Join(int pid)
    {
        try
        {
            _group.Join(pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _joinProblem = $"cannot move process {pid} into its cgroup: {e.Message}";
            Signals.SendToGroup(pid, Signals.SIGKILL);
            return;
        }

        var parents = new Queue<int>([pid]);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var child in ChildrenOf(parent))
            {
                if (TryJoin(child))
                {
                    parents.Enqueue(child);
                }
            }
        }
    }

    // A child may have exited meanwhile: it needs no group then.
    private bool TryJoin(int pid)
    {
        try
        {
            _group.Join(pid);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The children of <paramref name="pid"/>, from each of its threads' <c>/proc/PID/task/TID/children</c>.</summary>
    internal static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"))
            {
                var text = File.ReadAllText(Path.Join(task, "children"));
                children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(child => int.Parse(child, CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or a kernel without CONFIG_PROC_CHILDREN: nothing more to move.
        }

        return children;
    }

    /// <summary>
    /// The exit as the kubelet reports it: <c>OOMKilled</c> when the kernel killed a process of the
    /// group for memory, <c>StartError</c> (128) when the process never made it into the group. The
    /// group is removed afterwards, off the caller's thread.
    /// </summary>
    public ContainerExit Finish(ContainerExit exit)
    {
        ArgumentNullException.ThrowIfNull(exit);
        var finished = _joinProblem is { } problem ? new ContainerExit(128, "StartError", problem)
            : OomKilledSafely(exit.ExitCode) ? exit with { Reason = "OOMKilled" }
            : exit;
        _ = Task.Run(_group.Remove);
        return finished;
    }

    /// <summary>Removes the group of an instance that did not start.</summary>
    public void Remove() => _group.Remove();

    private bool OomKilledSafely(int exitCode)
    {
        try
        {
            return _group.OomKilled(exitCode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
