using Gateway.Probes;
using Gateway.Runtimes;
using Gateway.Specs;
using static Gateway.Pods.PodAction;
using static Gateway.Events.EventType;

namespace Gateway.Pods;

/// <summary>
/// The pod state machine: a pure function of (state, event, now) to (state, actions). The pod worker
/// around it does the I/O; the rules of docs/semantics.md#restarts and #pod-phase are decided here or in the pure functions it calls (RestartRules, PodPhaseCalculator).
/// </summary>
public static class PodLifecycle
{
    public static (PodState State, IReadOnlyList<PodAction> Actions) Apply(PodState pod, PodEvent evt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(evt);
        var actions = new List<PodAction>();
        var next = evt switch
        {
            PodEvent.Start => OnStart(pod, actions),
            PodEvent.ContainerStarted e => OnContainerStarted(pod, e, now, actions),
            PodEvent.ContainerAdopted e => OnContainerAdopted(pod, e, actions),
            PodEvent.ContainerStartFailed e when RestartRules.IsWaitingFailure(e.Reason) => OnContainerCreateFailed(pod, e, now, actions),
            PodEvent.ContainerStartFailed e => OnContainerExited(pod, new PodEvent.ContainerExited(e.Container, "", 128, "StartError", e.Message), now, actions, startFailed: true),
            PodEvent.ContainerExited e => OnContainerExited(pod, e, now, actions, startFailed: false),
            PodEvent.ProbeChanged e => OnProbeChanged(pod, e, actions),
            PodEvent.Wake => OnWake(pod, now, actions),
            PodEvent.Delete e => OnDelete(pod, e, now, actions),
            PodEvent.SetConditions e => pod with { GateConditions = pod.GateConditions.SetItems(e.Conditions) },
            _ => pod,
        };

        next = next with { Phase = PodPhaseCalculator.GetPhase(next) };
        if (NextWake(next) is { } wake)
        {
            actions.Add(new WakeAt(wake));
        }

        return (next, actions);
    }

    private static PodState OnStart(PodState pod, List<PodAction> actions)
    {
        actions.Add(new RecordEvent(Normal, "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to gateway"));
        return StartNextStage(pod, actions);
    }

    /// <summary>Starts the first init container that has not completed, or all containers once initialized.</summary>
    private static PodState StartNextStage(PodState pod, List<PodAction> actions)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return pod;
        }

        var pendingInit = pod.InitContainers.FirstOrDefault(c => !(c.State == ContainerRunState.Terminated && c.Terminated?.ExitCode == 0));
        if (pendingInit is not null)
        {
            if (pendingInit.NeverRan && !pendingInit.Starting)
            {
                actions.Add(new StartContainer(pendingInit.Name));
                pod = pod.With(pendingInit with { Starting = true, WaitingReason = "PodInitializing" });
            }

            return pod;
        }

        foreach (var c in pod.Containers)
        {
            if (c.NeverRan && !c.Starting)
            {
                actions.Add(new StartContainer(c.Name));
                pod = pod.With(c with { Starting = true, WaitingReason = "ContainerCreating" });
            }
        }

        return pod;
    }

    private static PodState OnContainerStarted(PodState pod, PodEvent.ContainerStarted e, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.FindContainer(e.Container) is not { } c)
        {
            return pod;
        }

        actions.Add(new RecordEvent(Normal, "Created", $"Created container {c.Name}"));
        actions.Add(new RecordEvent(Normal, "Started", $"Started container {c.Name}"));
        var started = c.WithNewInstance(e.InstanceId, now, c.InstancesStarted + 1) with
        {
            Terminated = null,
            RestartAt = null,
            Starting = false,
            Killed = false,
            CreateBackoffStep = 0,
            CreateRetryAt = null,
        };
        pod = pod.With(started) with { StartTime = pod.StartTime ?? now };
        if (pod.IsDeleting)
        {
            // Started while the pod was being deleted: stop it at once.
            actions.Add(new KillContainer(c.Name, e.InstanceId, pod.TerminationGracePeriod));
        }

        return pod;
    }

    /// <summary>
    /// An instance an earlier gateway started is still running and matches the spec: it runs on with its
    /// start time and restart count, and starts from the probes' starting values like any new instance.
    /// </summary>
    private static PodState OnContainerAdopted(PodState pod, PodEvent.ContainerAdopted e, List<PodAction> actions)
    {
        if (pod.FindContainer(e.Container) is not { NeverRan: true } c)
        {
            return pod;
        }

        pod = pod.With(c.WithNewInstance(e.InstanceId, e.StartedAt, e.RestartCount + 1)) with { StartTime = pod.StartTime is { } t && t < e.StartedAt ? t : e.StartedAt };
        if (pod.IsDeleting)
        {
            actions.Add(new KillContainer(c.Name, e.InstanceId, pod.TerminationGracePeriod));
        }

        return pod;
    }

    /// <summary>
    /// A creation that failed before any process ran (an image pull, the runtime itself): the container
    /// stays <c>Waiting</c> with the kubelet's reason, nothing counts as an exit, and the creation is
    /// tried again after the image back-off (10 s, 20 s ... 300 s). A failed pull shows
    /// <c>ErrImagePull</c> first, then <c>ImagePullBackOff</c> while the next pull waits.
    /// </summary>
    private static PodState OnContainerCreateFailed(PodState pod, PodEvent.ContainerStartFailed e, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.FindContainer(e.Container) is not { } c)
        {
            return pod;
        }

        actions.Add(new RecordEvent(Warning, "Failed", e.Message));
        actions.Add(new RecordEvent(Warning, "Failed", $"Error: {e.Reason}"));
        var failures = c.CreateBackoffStep + 1;
        var retryAt = now + RestartRules.CreateBackoffDelay(failures);
        return pod.With(c with
        {
            State = ContainerRunState.Waiting,
            Starting = false,
            WaitingReason = e.Reason,
            WaitingMessage = e.Message,
            CreateBackoffStep = failures,
            CreateRetryAt = retryAt,
            RestartAt = e.Reason == ContainerStartException.ErrImagePull ? Min(now + RestartRules.ErrImagePullShownFor, retryAt) : retryAt,
        });
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static PodState OnContainerExited(PodState pod, PodEvent.ContainerExited e, DateTimeOffset now, List<PodAction> actions, bool startFailed)
    {
        if (pod.FindContainer(e.Container) is not { } c || (!startFailed && c.InstanceId != e.InstanceId))
        {
            return pod;
        }

        var exitCode = c.Killed ? RestartRules.KilledExitCode : e.ExitCode;
        var reason = c.Killed ? "Error" : e.Reason;
        var startedAt = c.StartedAt ?? now;
        var termination = new Termination(exitCode, reason, e.Message, startedAt, now, e.InstanceId);
        if (startFailed)
        {
            actions.Add(new RecordEvent(Warning, "Failed", $"Error: failed to start container {c.Name}: {e.Message}"));
        }

        // Init containers with restartPolicy Always restart on failure only, as in Kubernetes.
        var policy = c.IsInit && pod.RestartPolicy == "Always" ? "OnFailure" : pod.RestartPolicy;
        var restart = RestartRules.ShouldRestart(policy, exitCode, pod.IsDeleting) && !pod.IsTerminal;
        if (!restart)
        {
            pod = pod.With(c with
            {
                State = ContainerRunState.Terminated,
                Terminated = termination,
                InstanceId = null,
                RestartAt = null,
                Starting = false,
                WaitingReason = null,
                Killed = false,
            });
            return c.IsInit && exitCode == 0 ? StartNextStage(pod, actions) : pod;
        }

        var step = RestartRules.NextBackoffStep(c.BackoffStep, now - startedAt);
        var delay = RestartRules.BackoffDelay(step);
        var waiting = c with
        {
            State = ContainerRunState.Waiting,
            Terminated = null,
            LastTermination = termination,
            InstanceId = null,
            Killed = false,
            Starting = false,
            BackoffStep = step + 1,
            RestartAt = now + delay,
            WaitingReason = delay > TimeSpan.Zero ? "CrashLoopBackOff" : "ContainerCreating",
            WaitingMessage = delay > TimeSpan.Zero
                ? $"back-off {FormatDuration(delay)} restarting failed container={c.Name} pod={pod.Name}_{pod.Namespace}({pod.Uid})"
                : null,
        };

        if (delay > TimeSpan.Zero)
        {
            actions.Add(new RecordEvent(Warning, "BackOff", $"Back-off restarting failed container {c.Name} in pod {pod.Name}_{pod.Namespace}({pod.Uid})"));
            return pod.With(waiting);
        }

        actions.Add(new StartContainer(c.Name));
        return pod.With(waiting with { RestartAt = null, Starting = true });
    }

    private static PodState OnProbeChanged(PodState pod, PodEvent.ProbeChanged e, List<PodAction> actions)
    {
        if (pod.FindContainer(e.Container) is not { } c || c.InstanceId != e.InstanceId || !c.IsRunning)
        {
            return pod;
        }

        var updated = e.Kind switch
        {
            ProbeKind.Startup => c with { Startup = e.Result },
            ProbeKind.Liveness => c with { Liveness = e.Result },
            _ => c with { Readiness = e.Result },
        };

        var kill = e.Result == ProbeResult.Failure && e.Kind != ProbeKind.Readiness && !pod.IsDeleting && !c.Killed;
        if (kill)
        {
            var spec = pod.FindSpec(c.Name);
            var probe = e.Kind == ProbeKind.Startup ? spec?.StartupProbe : spec?.LivenessProbe;
            var kindName = e.Kind == ProbeKind.Startup ? "startup" : "liveness";
            actions.Add(new RecordEvent(Normal, "Killing", $"Container {c.Name} failed {kindName} probe, will be restarted"));
            actions.Add(new KillContainer(c.Name, c.InstanceId!, RestartRules.KillGracePeriod(probe, pod.Spec.TerminationGracePeriodSeconds)));
            updated = updated with { Killed = true };
        }

        return pod.With(updated);
    }

    private static PodState OnWake(PodState pod, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return pod;
        }

        foreach (var c in pod.InitContainers.Concat(pod.Containers))
        {
            if (c.State == ContainerRunState.Waiting && !c.Starting && c.RestartAt is { } at && at <= now)
            {
                if (c.WaitingReason == ContainerStartException.ErrImagePull && c.CreateRetryAt is { } retryAt && retryAt > now)
                {
                    var image = pod.FindSpec(c.Name)?.Image;
                    actions.Add(new RecordEvent(Normal, "BackOff", $"Back-off pulling image \"{image}\""));
                    actions.Add(new RecordEvent(Warning, "Failed", "Error: ImagePullBackOff"));
                    pod = pod.With(c with { WaitingReason = "ImagePullBackOff", WaitingMessage = $"Back-off pulling image \"{image}\"", RestartAt = retryAt });
                    continue;
                }

                actions.Add(new StartContainer(c.Name));
                pod = pod.With(c with { RestartAt = null, Starting = true });
            }
        }

        return pod;
    }

    private static PodState OnDelete(PodState pod, PodEvent.Delete e, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.IsDeleting)
        {
            return pod;
        }

        foreach (var c in pod.InitContainers.Concat(pod.Containers).Where(c => c.IsRunning))
        {
            actions.Add(new RecordEvent(Normal, "Killing", $"Stopping container {c.Name}"));
        }

        actions.Add(new TerminatePod(pod.TerminationGracePeriod));
        return pod with { DeletionTimestamp = now };
    }

    /// <summary>The earliest pending back-off restart, if any.</summary>
    private static DateTimeOffset? NextWake(PodState pod)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return null;
        }

        DateTimeOffset? earliest = null;
        foreach (var c in pod.InitContainers.Concat(pod.Containers))
        {
            if (c.State == ContainerRunState.Waiting && !c.Starting && c.RestartAt is { } at && (earliest is null || at < earliest))
            {
                earliest = at;
            }
        }

        return earliest;
    }

    private static string FormatDuration(TimeSpan delay) =>
        delay.TotalMinutes >= 1 ? $"{(int)delay.TotalMinutes}m{delay.Seconds}s" : $"{(int)delay.TotalSeconds}s";
}
