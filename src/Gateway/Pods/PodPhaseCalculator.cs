namespace Gateway.Pods;

/// <summary>The pod phase from its containers, as the kubelet's <c>getPhase</c> decides it (docs/semantics.md#pod-phase-table).</summary>
public static class PodPhaseCalculator
{
    /// <summary>
    /// First match wins: a container that never ran keeps the pod Pending; any running container makes
    /// it Running; when all have stopped, a restarting policy keeps it Running, all-succeeded is
    /// Succeeded, <c>Never</c> is Failed. Succeeded and Failed are terminal. A pod being deleted whose
    /// containers have all stopped is terminal whatever its policy (the kubelet's <c>podIsTerminal</c>):
    /// Succeeded when every container exited 0, else Failed.
    /// </summary>
    public static PodPhase GetPhase(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.IsTerminal)
        {
            return pod.Phase;
        }

        var policy = pod.RestartPolicy;
        var initFailed = 0;
        var initPending = 0;
        foreach (var init in pod.InitContainers.Where(c => !c.IsSidecar))
        {
            if (init.State == ContainerRunState.Terminated && init.Terminated?.ExitCode == 0)
            {
                continue;
            }

            if ((init.State == ContainerRunState.Terminated && init.Terminated?.ExitCode != 0)
                || (init.State == ContainerRunState.Waiting && init.LastTermination is { ExitCode: not 0 }))
            {
                initFailed++;
            }
            else
            {
                initPending++;
            }
        }

        if (initFailed > 0 && policy == "Never")
        {
            return PodPhase.Failed;
        }

        if (initFailed > 0 || initPending > 0)
        {
            return PodPhase.Pending;
        }

        // Sidecars, as getPhase counts restartable init containers: one not started yet keeps a pod
        // that has not initialized Pending; a running one counts as running; one that has stopped
        // does not count at all.
        if (!pod.HasInitialized && pod.Sidecars.Any(c => c.NeverRan || (c.IsRunning && !c.Started)))
        {
            return PodPhase.Pending;
        }

        var sidecars = pod.Sidecars.Select(Classify).Where(c => c is ContainerClass.Running or ContainerClass.WaitingNeverRan);
        var starting = pod.InitContainers.Concat(pod.Containers).Any(c => c.Starting);
        return Decide(sidecars.Concat(pod.Containers.Select(Classify)), policy, podIsTerminal: pod.IsDeleting && !starting);
    }

    /// <summary>The phase table over container counts; exposed for the table-driven test.</summary>
    public static PodPhase Decide(IEnumerable<ContainerClass> containers, string restartPolicy, bool podIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(containers);
        int waitingNeverRan = 0, running = 0, stopped = 0, succeeded = 0, unknown = 0;
        foreach (var c in containers)
        {
            switch (c)
            {
                case ContainerClass.WaitingNeverRan: waitingNeverRan++; break;
                case ContainerClass.Running: running++; break;
                case ContainerClass.Succeeded: stopped++; succeeded++; break;
                case ContainerClass.Stopped: stopped++; break;
                default: unknown++; break;
            }
        }

        if (waitingNeverRan > 0)
        {
            return PodPhase.Pending;
        }

        if (running > 0 && unknown == 0)
        {
            return PodPhase.Running;
        }

        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (podIsTerminal)
            {
                return stopped == succeeded ? PodPhase.Succeeded : PodPhase.Failed;
            }

            if (restartPolicy == "Always")
            {
                return PodPhase.Running;
            }

            if (stopped == succeeded)
            {
                return PodPhase.Succeeded;
            }

            return restartPolicy == "Never" ? PodPhase.Failed : PodPhase.Running;
        }

        return PodPhase.Pending;
    }

    public static ContainerClass Classify(ContainerStatus c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.State switch
        {
            ContainerRunState.Running => ContainerClass.Running,
            ContainerRunState.Terminated when c.Terminated?.ExitCode == 0 => ContainerClass.Succeeded,
            ContainerRunState.Terminated => ContainerClass.Stopped,
            ContainerRunState.Waiting when c.LastTermination is not null => ContainerClass.Stopped,
            ContainerRunState.Waiting => ContainerClass.WaitingNeverRan,
            _ => ContainerClass.Unknown,
        };
    }
}

/// <summary>How <c>getPhase</c> counts a container.</summary>
public enum ContainerClass
{
    WaitingNeverRan,
    Running,
    Stopped,
    Succeeded,
    Unknown,
}
