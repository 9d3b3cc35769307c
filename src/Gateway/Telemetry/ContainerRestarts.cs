using System.Collections.Immutable;
using Gateway.Pods;

namespace Gateway.Telemetry;

/// <summary>
/// Counts container restarts per pod, container and reason (the previous instance's termination
/// reason), watching the registry: a restart is a new instance of a container that ran before.
/// A pod's counts go when it leaves the registry, so the counter's series end with the pod.
/// </summary>
public sealed partial class ContainerRestarts(ILogger<ContainerRestarts> logger)
{
    private readonly Lock _writeLock = new();
    private ImmutableDictionary<RestartKey, long> _counts = ImmutableDictionary<RestartKey, long>.Empty;

    /// <summary>Restarts so far of the pods that still exist.</summary>
    public ImmutableDictionary<RestartKey, long> Counts => Volatile.Read(ref _counts);

    /// <summary>Registry hook; runs on the pod worker's thread.</summary>
    public void OnPodChanged(PodState? before, PodState? after)
    {
        if (after is null)
        {
            if (before is not null)
            {
                lock (_writeLock)
                {
                    Volatile.Write(ref _counts, _counts.RemoveRange(_counts.Keys.Where(k => k.Pod == before.Name)));
                }
            }

            return;
        }

        foreach (var container in after.InitContainers.Concat(after.Containers))
        {
            var previous = before?.FindContainer(container.Name)?.InstancesStarted ?? 0;
            if (container.InstancesStarted <= 1 || container.InstancesStarted <= previous)
            {
                continue;
            }

            var last = container.LastTermination;
            var key = new RestartKey(after.ServiceName, after.Name, container.Name, last?.Reason ?? "Unknown");
            lock (_writeLock)
            {
                Volatile.Write(ref _counts, _counts.SetItem(key, _counts.GetValueOrDefault(key) + container.InstancesStarted - Math.Max(previous, 1)));
            }

            Log.ContainerRestarted(logger, after.Name, container.Name, container.RestartCount, key.Reason, last?.ExitCode);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "pod {Pod}: container {Container} restarted (restartCount {RestartCount}); the previous instance ended with {Reason}, exit code {ExitCode}")]
        public static partial void ContainerRestarted(ILogger logger, string pod, string container, int restartCount, string reason, int? exitCode);
    }
}

/// <summary>The attributes of <c>gateway.container.restarts</c>.</summary>
public readonly record struct RestartKey(string Service, string Pod, string Container, string Reason);
