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

        // The deadline goes first: an event that comes after it finds the pod already Failed.
        pod = EnforceActiveDeadline(pod, now, actions);
        var next = evt switch
        {
            PodEvent.Start => OnStart(pod, now, actions),
            PodEvent.ContainerStarted e => OnContainerStarted(pod, e, now, actions),
            PodEvent.ContainerAdopted e => OnContainerAdopted(pod, e, actions),
            PodEvent.ContainerStartFailed e when RestartRules.IsWaitingFailure(e.Reason) => OnContainerCreateFailed(pod, e, now, actions),
            PodEvent.ContainerStartFailed e => OnContainerExited(pod, new PodEvent.ContainerExited(e.Container, "", 128, "StartError", e.Message), now, actions, startFailed: true),
            PodEvent.ContainerExited e => OnContainerExited(pod, e, now, actions, startFailed: false),
            PodEvent.PostStartHookFailed e => OnPostStartHookFailed(pod, e, now, actions),
            PodEvent.ProbeChanged e => OnProbeChanged(pod, e, actions),
            PodEvent.Wake => OnWake(pod, now, actions),
            PodEvent.Delete e => OnDelete(pod, e, now, actions),
            PodEvent.SetConditions e => pod with { GateConditions = pod.GateConditions.SetItems(e.Conditions) },
            PodEvent.SetGate e => pod with { GateConditions = pod.GateConditions.SetItem(e.Type, e.Status), GateReasons = pod.GateReasons.SetItem(e.Type, (e.Reason, e.Message)) },
            _ => pod,
        };

        next = next with { Phase = PodPhaseCalculator.GetPhase(next) };
        next = StampTransitions(next, now);
        if (NextWake(next) is { } wake)
        {
            actions.Add(new WakeAt(wake));
        }

        return (next, actions);
    }

    /// <summary>Records when each condition took its current status.</summary>
    private static PodState StampTransitions(PodState pod, DateTimeOffset now)
    {
        var transitions = pod.ConditionTransitions;
        foreach (var condition in PodConditions.Of(pod))
        {
            if (!transitions.TryGetValue(condition.Type, out var known) || known.Status != condition.Status)
            {
                transitions = transitions.SetItem(condition.Type, (condition.Status, now));
            }
        }

        return ReferenceEquals(transitions, pod.ConditionTransitions) ? pod : pod with { ConditionTransitions = transitions };
    }

    private static PodState OnStart(PodState pod, DateTimeOffset now, List<PodAction> actions)
    {
        actions.Add(new RecordEvent(Normal, "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to gateway"));

        // The kubelet's startTime: when it took the pod on, before any image or container (activeDeadlineSeconds counts from it).
        return StartNextStage(pod with { StartTime = pod.StartTime ?? now }, actions);
    }

    /// <summary>
    /// Until the pod has initialized, starts the first init container that is not done (a plain one
    /// done once it has completed, a sidecar once it has started); then every container.
    /// </summary>
    private static PodState StartNextStage(PodState pod, List<PodAction> actions)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return pod;
        }

        if (!pod.HasInitialized && pod.InitContainers.FirstOrDefault(c => c.IsSidecar ? !c.Started : !c.Completed) is { } pendingInit)
        {
            if (pendingInit.NeverRan && !pendingInit.Starting && pendingInit.CreateBackoffStep == 0)
            {
                actions.Add(new StartContainer(pendingInit.Name));
                pod = pod.With(pendingInit with { Starting = true, WaitingReason = "PodInitializing" });
            }

            return pod;
        }

        foreach (var c in pod.Containers)
        {
            if (c.NeverRan && !c.Starting && c.CreateBackoffStep == 0)
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

        actions.Add(new RecordEvent(Normal, "Created", $"Created container {c.Name}", c.FieldPath));
        actions.Add(new RecordEvent(Normal, "Started", $"Started container {c.Name}", c.FieldPath));
        var started = c.WithNewInstance(e.InstanceId, now, c.InstancesStarted + 1) with
        {
            Terminated = null,
            RestartAt = null,
            BackoffEventAt = null,
            Starting = false,
            Killed = false,
            CreateBackoffStep = 0,
            CreateRetryAt = null,
        };
        pod = pod.With(started) with { StartTime = pod.StartTime ?? now };
        if (pod.IsDeleting || pod.IsTerminal || (c.IsSidecar && pod.ContainersCompleted))
        {
            // Started while the pod was being deleted, or after it (or its containers) ended: stop it at once.
            actions.Add(new KillContainer(c.Name, e.InstanceId, pod.TerminationGracePeriod));
            return pod;
        }

        // A sidecar without a startup probe has started: the next init container (or the containers) may start.
        return c.IsSidecar ? StartNextStage(pod, actions) : pod;
    }

    /// <summary>
    /// An instance ran but its <c>postStart</c> hook failed, and the runtime killed it: the kubelet's
    /// <c>FailedPostStartHook</c> (its events were recorded by <see cref="ContainerStarter"/> before the
    /// kill, in the kubelet's order). It never ran as far as the pod is concerned (no probe saw it); it
    /// ended with the exit code the kill gave it, and restarts by the policy like any exit.
    /// </summary>
    private static PodState OnPostStartHookFailed(PodState pod, PodEvent.PostStartHookFailed e, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.FindContainer(e.Container) is not { } c)
        {
            return pod;
        }

        pod = pod.With(c with { InstancesStarted = c.InstancesStarted + 1, StartedAt = e.StartedAt }) with { StartTime = pod.StartTime ?? e.StartedAt };
        return OnContainerExited(pod, new PodEvent.ContainerExited(e.Container, e.InstanceId, e.ExitCode, e.Reason, e.Message), now, actions, startFailed: false, hookFailed: true);
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

        if (e.Reason == ContainerLaunchBuilder.CreateContainerConfigError)
        {
            // The kubelet words it as one event: "Error: configmap \"app-config\" not found".
            actions.Add(new RecordEvent(Warning, "Failed", $"Error: {e.Message}", c.FieldPath));
        }
        else
        {
            actions.Add(new RecordEvent(Warning, "Failed", e.Message, c.FieldPath));
            actions.Add(new RecordEvent(Warning, "Failed", $"Error: {e.Reason}", c.FieldPath));
        }
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

    /// <summary>
    /// An instance ended (or, <paramref name="startFailed"/>, its process could not start: a
    /// <c>StartError</c> that counts as an instance, as the kubelet's dead container does). Its exit
    /// code is the one the runtime saw, killed for a probe or not. Whether it restarts is
    /// <see cref="RestartRules.ShouldRestart"/>; when is <see cref="RestartBackoff.Decide"/>.
    /// </summary>
    private static PodState OnContainerExited(PodState pod, PodEvent.ContainerExited e, DateTimeOffset now, List<PodAction> actions, bool startFailed, bool hookFailed = false)
    {
        if (pod.FindContainer(e.Container) is not { } c || (!startFailed && !hookFailed && c.InstanceId != e.InstanceId))
        {
            return pod;
        }

        var termination = new Termination(e.ExitCode, e.Reason, e.Message, startFailed ? now : c.StartedAt ?? now, now, e.InstanceId);
        if (startFailed)
        {
            actions.Add(new RecordEvent(Warning, "Failed", $"Error: failed to start container {c.Name}: {e.Message}", c.FieldPath));
            c = c with { InstancesStarted = c.InstancesStarted + 1 };
        }

        var policy = RestartRules.EffectivePolicy(pod.RestartPolicy, c.IsInit, c.IsSidecar);
        var restart = RestartRules.ShouldRestart(policy, e.ExitCode, pod.IsDeleting, c.Killed) && !pod.IsTerminal && !(c.IsSidecar && pod.ContainersCompleted);
        if (!restart)
        {
            pod = pod.With(c with
            {
                State = ContainerRunState.Terminated,
                Terminated = termination,
                InstanceId = null,
                RestartAt = null,
                BackoffEventAt = null,
                Starting = false,
                WaitingReason = null,
                Killed = false,
            });
            return c.IsInit && !c.IsSidecar && e.ExitCode == 0 ? StartNextStage(pod, actions)
                : !c.IsInit && pod.ContainersCompleted && !pod.IsDeleting && !pod.IsTerminal ? StopSidecars(pod, actions)
                : pod;
        }

        // The kubelet decides a probe kill's restart in the same sync as the kill, before the killed
        // instance is dead: the back-off is measured from the dead instance before it. When that holds
        // the restart back, its next sync measures from the instance it just killed.
        var (waitUntil, backoff) = RestartBackoff.Decide(c.Backoff, c.Killed ? c.LastTermination?.FinishedAt : now, now);
        if (waitUntil is not null && c.Killed)
        {
            (waitUntil, backoff) = RestartBackoff.Decide(c.Backoff, now, now);
        }

        var waiting = c with
        {
            State = ContainerRunState.Waiting,
            Terminated = null,
            LastTermination = termination,
            InstanceId = null,
            Killed = false,
            Starting = false,
            Backoff = backoff,
        };

        if (waitUntil is { } at)
        {
            actions.Add(BackOffEvent(pod, c));
            return pod.With(waiting with
            {
                RestartAt = at,
                BackoffEventAt = now + RestartRules.BackoffEventPeriod,
                WaitingReason = "CrashLoopBackOff",
                WaitingMessage = $"back-off {FormatDuration(backoff!.Delay)} restarting failed container={c.Name} pod={pod.Name}_{pod.Namespace}({pod.Uid})",
            });
        }

        actions.Add(new StartContainer(c.Name));
        return pod.With(waiting with { RestartAt = null, BackoffEventAt = null, Starting = true, WaitingReason = "ContainerCreating", WaitingMessage = null });
    }

    private static RecordEvent BackOffEvent(PodState pod, ContainerStatus c) =>
        new(Warning, "BackOff", $"Back-off restarting failed container {c.Name} in pod {pod.Name}_{pod.Namespace}({pod.Uid})", c.FieldPath);

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
            var restarts = RestartRules.RestartsAfterProbeKill(RestartRules.EffectivePolicy(pod.RestartPolicy, c.IsInit, c.IsSidecar)) ? ", will be restarted" : "";
            actions.Add(new RecordEvent(Normal, "Killing", $"Container {c.Name} failed {kindName} probe{restarts}", c.FieldPath));
            actions.Add(new KillContainer(c.Name, c.InstanceId!, RestartRules.KillGracePeriod(probe, pod.Spec.TerminationGracePeriodSeconds)));
            updated = updated with { Killed = true };
        }

        pod = pod.With(updated);

        // A sidecar whose startup probe passed has started: the next init container (or the containers) may start.
        return c.IsSidecar && !c.Started && updated.Started ? StartNextStage(pod, actions) : pod;
    }

    /// <summary>
    /// Every container has ended for good (<c>Never</c>, <c>OnFailure</c>): the sidecars are stopped, not
    /// restarted, so that the pod can end. One waiting for its restart ends where it is.
    /// </summary>
    private static PodState StopSidecars(PodState pod, List<PodAction> actions)
    {
        var stop = false;
        foreach (var c in pod.Sidecars.ToList())
        {
            if (c.IsRunning || c.Starting)
            {
                actions.Add(new RecordEvent(Normal, "Killing", $"Stopping container {c.Name}", c.FieldPath));
                stop = true;
            }
            else if (c.State == ContainerRunState.Waiting && c.LastTermination is { } last)
            {
                pod = pod.With(c with { State = ContainerRunState.Terminated, Terminated = last, RestartAt = null, BackoffEventAt = null, WaitingReason = null, WaitingMessage = null });
            }
        }

        if (stop)
        {
            actions.Add(new StopContainers(pod.TerminationGracePeriod));
        }

        return pod;
    }

    /// <summary>
    /// <c>activeDeadlineSeconds</c> after the pod's start, a pod that has not ended fails with
    /// <c>DeadlineExceeded</c> (the kubelet's active deadline handler) and its containers are stopped
    /// with the pod's grace period; nothing of it restarts.
    /// </summary>
    private static PodState EnforceActiveDeadline(PodState pod, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.IsTerminal || pod.IsDeleting || pod.ActiveDeadline is not { } deadline || now < deadline)
        {
            return pod;
        }

        actions.Add(new RecordEvent(Normal, DeadlineExceededReason, DeadlineExceededMessage));
        var running = pod.InitContainers.Concat(pod.Containers).Where(c => c.IsRunning || c.Starting).ToList();
        foreach (var c in running)
        {
            actions.Add(new RecordEvent(Normal, "Killing", $"Stopping container {c.Name}", c.FieldPath));
        }

        if (running.Count > 0)
        {
            actions.Add(new StopContainers(pod.TerminationGracePeriod));
        }

        return pod with { Phase = PodPhase.Failed, Reason = DeadlineExceededReason, Message = DeadlineExceededMessage };
    }

    public const string DeadlineExceededReason = "DeadlineExceeded";

    public const string DeadlineExceededMessage = "Pod was active on the node longer than the specified deadline";

    private static PodState OnWake(PodState pod, DateTimeOffset now, List<PodAction> actions)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return pod;
        }

        foreach (var c in pod.InitContainers.Concat(pod.Containers))
        {
            if (c.State != ContainerRunState.Waiting || c.Starting)
            {
                continue;
            }

            if (c.RestartAt is { } at && at <= now)
            {
                if (c.WaitingReason == ContainerStartException.ErrImagePull && c.CreateRetryAt is { } retryAt && retryAt > now)
                {
                    var image = pod.FindSpec(c.Name)?.Image;
                    actions.Add(new RecordEvent(Normal, "BackOff", $"Back-off pulling image \"{image}\"", c.FieldPath));
                    actions.Add(new RecordEvent(Warning, "Failed", "Error: ImagePullBackOff", c.FieldPath));
                    pod = pod.With(c with { WaitingReason = "ImagePullBackOff", WaitingMessage = $"Back-off pulling image \"{image}\"", RestartAt = retryAt });
                    continue;
                }

                // The back-off is over: the kubelet's start moves it on (the next one is twice as long).
                var backoff = c.WaitingReason == "CrashLoopBackOff" && c.LastTermination is { } last
                    ? RestartBackoff.Next(c.Backoff, last.FinishedAt, now)
                    : c.Backoff;
                actions.Add(new StartContainer(c.Name));
                pod = pod.With(c with { RestartAt = null, BackoffEventAt = null, Starting = true, Backoff = backoff });
            }
            else if (c.BackoffEventAt is { } eventAt && eventAt <= now)
            {
                actions.Add(BackOffEvent(pod, c));
                pod = pod.With(c with { BackoffEventAt = eventAt + RestartRules.BackoffEventPeriod });
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
            actions.Add(new RecordEvent(Normal, "Killing", $"Stopping container {c.Name}", c.FieldPath));
        }

        actions.Add(new TerminatePod(pod.TerminationGracePeriod));
        return pod with { DeletionTimestamp = now };
    }

    /// <summary>The earliest pending back-off restart or repeated <c>BackOff</c> event, if any.</summary>
    private static DateTimeOffset? NextWake(PodState pod)
    {
        if (pod.IsDeleting || pod.IsTerminal)
        {
            return null;
        }

        var earliest = pod.ActiveDeadline;
        foreach (var c in pod.InitContainers.Concat(pod.Containers).Where(c => c.State == ContainerRunState.Waiting && !c.Starting))
        {
            foreach (var at in new[] { c.RestartAt, c.BackoffEventAt })
            {
                if (at is not null && (earliest is null || at < earliest))
                {
                    earliest = at;
                }
            }
        }

        return earliest;
    }

    private static string FormatDuration(TimeSpan delay) =>
        delay.TotalMinutes >= 1 ? $"{(int)delay.TotalMinutes}m{delay.Seconds}s" : $"{(int)delay.TotalSeconds}s";
}
