using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The cgroup of one container instance whose <c>resources.limits</c> set something: made before
/// the process starts, joined by its pid right after <c>posix_spawn</c> returns, read for an OOM
/// kill when it exits, then removed with whatever is left in it.
/// </summary>
/// <remarks>
/// The pid is written from the gateway, not by a wrapper in the child: between the spawn and that
/// write (microseconds, while the child is still exec'ing) the process runs unlimited, and a child it
/// forks in that window would stay outside the group.
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

    /// <summary>Moves the just-spawned <paramref name="pid"/> in; when that fails, kills it (an unlimited container must not run) and keeps why for its exit.</summary>
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
        }
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
