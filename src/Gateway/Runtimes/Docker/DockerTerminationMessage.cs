using Docker.DotNet.Models;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// A Docker container's termination message, as the kubelet gets it: the instance's host message file
/// (<see cref="ContainerLaunch.TerminationMessageFile"/>) bind-mounted at the container's
/// <c>terminationMessagePath</c>, so that what the app writes there is on the host when it ends. A copy
/// out of the stopped container (the archive API) would not do: the default path,
/// <c>/dev/termination-log</c>, is on the container's <c>/dev</c> tmpfs, gone once it stops.
/// </summary>
internal static class DockerTerminationMessage
{
    /// <summary>The bind mount of the launch's message file; null when it has none.</summary>
    public static Mount? MountFor(ContainerLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return launch.TerminationMessageFile is { } file && launch.Container.TerminationMessagePath is { Length: > 0 } path
            ? new Mount { Type = "bind", Source = file, Target = path, ReadOnly = false }
            : null;
    }
}
