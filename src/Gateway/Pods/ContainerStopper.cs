using Gateway.Events;

namespace Gateway.Pods;

/// <summary>
/// Stops container instances as the kubelet's killContainer, with the drain the gateway adds
/// (docs/semantics.md#termination-order): the drain of in-flight requests and each container's
/// preStop hook start together; the stop signal goes once the hook is done and the drain is done
/// or its share of the grace period is spent; SIGKILL follows when the grace period runs out, never
/// less than 2 s after the stop signal. It is handed everything it needs and keeps no state.
/// </summary>
internal sealed partial class ContainerStopper(PodWorkerContext context, ILogger logger)
{
    /// <summary>
    /// Kills one container for a failed liveness or startup probe. The pod is already out of rotation
    /// (a killed container is not ready).
    /// </summary>
    public Task KillAsync(PodState pod, RunningContainer container, TimeSpan gracePeriod)
    {
        var plan = StopPlan.Start(context.Time.GetUtcNow(), gracePeriod);
        var drain = DrainAsync(pod, plan.DrainDeadline);
        return StopAsync(pod, [container], plan, drain);
    }

    /// <summary>
    /// Kills an instance whose postStart hook failed, as the kubelet's startContainer does through
    /// killContainer: its preStop hook, then the stop signal with what is left of
    /// <paramref name="gracePeriod"/> (at least 2 s). No drain: the instance never counted as
    /// running, so no request was sent to it.
    /// </summary>
    public Task KillUnstartedAsync(PodState pod, RunningContainer container, TimeSpan gracePeriod) =>
        StopAsync(pod, [container], StopPlan.Start(context.Time.GetUtcNow(), gracePeriod), Task.FromResult(TimeSpan.Zero));

    /// <summary>
    /// Deletion: the drain starts at once; meanwhile waits for the <paramref name="starts"/> the
    /// deletion cancelled (so that no instance comes up after the pod is gone), then stops every
    /// running container as <see cref="KillAsync"/> does. <paramref name="instances"/> reads the pod's
    /// current instances.
    /// </summary>
    public async Task TerminateAsync(PodState pod, TimeSpan gracePeriod, IReadOnlyList<Task<RunningContainer?>> starts, Func<ContainerInstances> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var plan = StopPlan.Start(context.Time.GetUtcNow(), gracePeriod);
        var drain = DrainAsync(pod, plan.DrainDeadline);
        var started = await StartsAsync(pod, starts, plan.Deadline);
        var current = instances().Current.Values.ToList();

        // An instance whose start was answered after the deletion may not be tracked yet: it is stopped all the same.
        var running = current.Concat(started.Where(s => !current.Exists(c => ReferenceEquals(c.Instance, s.Instance))))
            .Where(c => !c.Instance.Exited.IsCompleted);
        await StopAsync(pod, [.. running], plan, drain);
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

    /// <summary>Waits for the pod's in-flight requests until <paramref name="deadline"/>; returns how long it took. Never throws.</summary>
    private async Task<TimeSpan> DrainAsync(PodState pod, DateTimeOffset deadline)
    {
        var started = context.Time.GetTimestamp();
        try
        {
            await context.Drainer.DrainAsync(pod, deadline, CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.DrainFailed(logger, pod.Name, e);
        }

        return context.Time.GetElapsedTime(started);
    }

    /// <summary>
    /// Per container, at once: its preStop hook; then, with the drain done and its turn come (a sidecar
    /// waits for the containers and the sidecars after it, see <see cref="TerminationOrder"/>), the stop
    /// signal with what is left of the grace (at least 2 s).
    /// </summary>
    private Task StopAsync(PodState pod, IReadOnlyList<RunningContainer> containers, StopPlan plan, Task<TimeSpan> drain)
    {
        var names = containers.Select(c => c.Name).ToList();
        return Task.WhenAll(containers.Select(async c =>
        {
            var preStopTook = TimeSpan.Zero;
            // As the kubelet's killContainer: no grace period, no preStop hook (and no event for it).
            if (pod.FindSpec(c.Name)?.Lifecycle?.PreStop is { } preStop && plan.Deadline > context.Time.GetUtcNow())
            {
                var started = context.Time.GetTimestamp();
                var error = await LifecycleHook.RunAsync(preStop, c.Target, context.Prober, context.Time, plan.Deadline, CancellationToken.None);
                preStopTook = context.Time.GetElapsedTime(started);
                if (context.Time.GetUtcNow() >= plan.Deadline)
                {
                    Log.PreStopOutlivedGrace(logger, pod.Name, c.Name, preStopTook.TotalSeconds);
                }

                if (error is not null)
                {
                    // The kubelet's words: the hook's own output stays out of the event, lest it show a secret; the log has it.
                    Log.PreStopFailed(logger, pod.Name, c.Name, error);
                    context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, FailedPreStopHookReason, PreStopHookFailedMessage,
                        pod.FindContainer(c.Name)?.FieldPath);
                }
            }

            var drained = await drain;
            var before = TerminationOrder.WaitsFor(pod, c.Name, names);
            await WaitForExitsAsync(pod, containers.Where(other => before.Contains(other.Name)), plan.Deadline);
            var now = context.Time.GetUtcNow();
            var killAfter = plan.StopSignalGrace(now);
            var signalled = context.Time.GetTimestamp();
            await c.Instance.StopAsync(killAfter, CancellationToken.None);
            var exit = c.Instance.Exited.IsCompletedSuccessfully ? c.Instance.Exited.Result.ExitCode : (int?)null;
            var exited = context.Time.GetElapsedTime(signalled);
            Log.Stopped(logger, pod.Name, c.Name, drained.TotalSeconds, preStopTook.TotalSeconds, (now - plan.Started).TotalSeconds,
                killAfter.TotalSeconds, exited.TotalSeconds, exit);

            // The kubelet says only "Killing" when a stop begins; the gateway also says how each stage went, where kubectl describe shows it.
            context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, StoppedReason,
                StoppedMessage(c.Name, drained, preStopTook, now - plan.Started, killAfter, exited, exit), pod.FindContainer(c.Name)?.FieldPath);
        }));
    }

    public const string FailedPreStopHookReason = "FailedPreStopHook";

    /// <summary>The event that closes a container's stop, with each stage's duration.</summary>
    public const string StoppedReason = "Stopped";

    /// <summary>What <see cref="StoppedReason"/> says: the drain, the preStop hook, when the stop signal went and how long the process took to exit after it.</summary>
    public static string StoppedMessage(string container, TimeSpan drain, TimeSpan preStop, TimeSpan signalAt, TimeSpan killAfter, TimeSpan exited, int? exitCode) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Stopped container {container}: drain {drain.TotalSeconds:0.###}s, preStop {preStop.TotalSeconds:0.###}s, stop signal at {signalAt.TotalSeconds:0.###}s with {killAfter.TotalSeconds:0.###}s before SIGKILL, exited {exited.TotalSeconds:0.###}s after it")
        + (exitCode is { } code ? $" with code {code}" : "");

    /// <summary>The kubelet's event message for a failed preStop hook, without the hook's output.</summary>
    public const string PreStopHookFailedMessage = "PreStopHook failed";

    /// <summary>Waits until <paramref name="containers"/> have exited, or the grace period has run out.</summary>
    private async Task WaitForExitsAsync(PodState pod, IEnumerable<RunningContainer> containers, DateTimeOffset deadline)
    {
        var exits = containers.Select(c => (Task)c.Instance.Exited).ToList();
        if (exits.Count == 0)
        {
            return;
        }

        var remaining = deadline - context.Time.GetUtcNow();
        try
        {
            await Task.WhenAll(exits).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, context.Time);
        }
        catch (TimeoutException e)
        {
            Log.TurnOutlivedGrace(logger, pod.Name, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "pod {Pod}: a container start did not answer within the grace period; stopping the rest")]
        public static partial void StartOutlivedGrace(ILogger logger, string pod, Exception exception);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "pod {Pod}: the containers a sidecar stops after did not exit within the grace period; stopping it anyway")]
        public static partial void TurnOutlivedGrace(ILogger logger, string pod, Exception exception);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "pod {Pod}: drain failed; stopping anyway")]
        public static partial void DrainFailed(ILogger logger, string pod, Exception exception);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "pod {Pod} container {Container}: preStop hook failed: {Error}")]
        public static partial void PreStopFailed(ILogger logger, string pod, string container, string error);

        [LoggerMessage(EventId = 106, Level = LogLevel.Warning,
            Message = "pod {Pod} container {Container}: preStop hook not completed in the grace period ({Seconds:0.###} s); sending the stop signal")]
        public static partial void PreStopOutlivedGrace(ILogger logger, string pod, string container, double seconds);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information,
            Message = "pod {Pod} container {Container}: stopped: drain {DrainSeconds:0.###} s, preStop {PreStopSeconds:0.###} s, stop signal at {SignalAtSeconds:0.###} s "
                + "with {KillAfterSeconds:0.###} s before SIGKILL, exited {ExitedSeconds:0.###} s after it with code {ExitCode}")]
        public static partial void Stopped(ILogger logger, string pod, string container, double drainSeconds, double preStopSeconds, double signalAtSeconds,
            double killAfterSeconds, double exitedSeconds, int? exitCode);
    }
}
