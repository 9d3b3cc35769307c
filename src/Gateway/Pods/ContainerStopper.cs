using Gateway.Events;

namespace Gateway.Pods;

/// <summary>
/// Stops container instances as the kubelet's killContainer: drain the pod, run each container's
/// preStop hook, then the stop signal with what is left of the grace period (the runtime sends
/// SIGKILL when that runs out). It is handed everything it needs and keeps no state.
/// </summary>
internal sealed partial class ContainerStopper(PodWorkerContext context, ILogger logger)
{
    /// <summary>
    /// Kills one container for a failed liveness or startup probe: the pod is already out of rotation
    /// (a killed container is not ready), so drain, run preStop, then stop, all within the grace period.
    /// </summary>
    public async Task KillAsync(PodState pod, RunningContainer container, TimeSpan gracePeriod)
    {
        var deadline = context.Time.GetUtcNow() + gracePeriod;
        await DrainAsync(pod, deadline);
        await StopAsync(pod, [container], deadline);
    }

    /// <summary>
    /// Deletion: waits for the <paramref name="starts"/> the deletion cancelled (so that no instance comes
    /// up after the pod is gone), drains, then runs preStop and stops every running container, all
    /// within the grace period. <paramref name="instances"/> reads the pod's current instances.
    /// </summary>
    public async Task TerminateAsync(PodState pod, TimeSpan gracePeriod, IReadOnlyList<Task<RunningContainer?>> starts, Func<ContainerInstances> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var deadline = context.Time.GetUtcNow() + gracePeriod;
        var started = await StartsAsync(pod, starts, deadline);
        await DrainAsync(pod, deadline);
        var current = instances().Current.Values.ToList();

        // An instance whose start was answered after the deletion may not be tracked yet: it is stopped all the same.
        var running = current.Concat(started.Where(s => !current.Exists(c => ReferenceEquals(c.Instance, s.Instance))))
            .Where(c => !c.Instance.Exited.IsCompleted);
        await StopAsync(pod, [.. running], deadline);
    }

    /// <summary>The instances the <paramref name="starts"/> started by the deadline.</summary>
    private async Task<List<RunningContainer>> StartsAsync(PodState pod, IReadOnlyList<Task<RunningContainer?>> starts, DateTimeOffset deadline)
    {
        var remaining = deadline - context.Time.GetUtcNow();
        try
        {
            await Task.WhenAll(starts).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, context.Time);
        }
        catch (TimeoutException e)
        {
            Log.StartOutlivedGrace(logger, pod.Name, e);
        }

        return [.. starts.Where(s => s is { IsCompletedSuccessfully: true, Result: not null }).Select(s => s.Result!)];
    }

    private async Task DrainAsync(PodState pod, DateTimeOffset deadline)
    {
        try
        {
            await context.Drainer.DrainAsync(pod, deadline, CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.DrainFailed(logger, pod.Name, e);
        }
    }

    /// <summary>Each container's preStop hook, then the stop signal, then SIGKILL at the deadline.</summary>
    private Task StopAsync(PodState pod, IReadOnlyList<RunningContainer> containers, DateTimeOffset deadline) =>
        Task.WhenAll(containers.Select(async c =>
        {
            if (pod.FindSpec(c.Name)?.Lifecycle?.PreStop is { } preStop)
            {
                var error = await PreStopHook.RunAsync(preStop, c.Target, context.Prober, context.Time, deadline);
                if (error is not null)
                {
                    context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "FailedPreStopHook",
                        $"PreStopHook failed for container {c.Name}: {error}", $"spec.containers{{{c.Name}}}");
                }
            }

            var remaining = deadline - context.Time.GetUtcNow();
            await c.Instance.StopAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, CancellationToken.None);
        }));

    private static partial class Log
    {
        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "pod {Pod}: a container start did not answer within the grace period; stopping the rest")]
        public static partial void StartOutlivedGrace(ILogger logger, string pod, Exception exception);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "pod {Pod}: drain failed; stopping anyway")]
        public static partial void DrainFailed(ILogger logger, string pod, Exception exception);
    }
}
