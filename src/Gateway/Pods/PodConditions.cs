namespace Gateway.Pods;

/// <summary>
/// The conditions of a bound pod, worded as the kubelet's <c>pkg/kubelet/status/generate.go</c> does
/// (docs/semantics.md#pod-conditions). A pure function of the pod; the lifecycle stamps when each changed.
/// </summary>
public static class PodConditions
{
    public const string PodReadyToStartContainers = "PodReadyToStartContainers";
    public const string Initialized = "Initialized";
    public const string ContainersReady = "ContainersReady";
    public const string Ready = "Ready";
    public const string PodScheduled = "PodScheduled";

    /// <summary>The kubelet's conditions in the order it lists them, then the readiness gates' own conditions.</summary>
    public static IReadOnlyList<PodCondition> Of(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containersReady = ContainersReadyCondition(pod);
        var conditions = new List<PodCondition>
        {
            // The pod's "sandbox" (its address and folders) exists from the start until the pod has ended.
            new(PodReadyToStartContainers, !pod.IsTerminal),
            InitializedCondition(pod),
            containersReady with { Type = Ready },
            containersReady,
            new(PodScheduled, true),
        };
        if (containersReady.Status)
        {
            conditions[2] = ReadyCondition(pod);
        }

        conditions.AddRange(pod.GateConditions.Select(g => !g.Value && pod.GateReasons.TryGetValue(g.Key, out var why)
            ? new PodCondition(g.Key, g.Value, why.Reason, why.Message)
            : new PodCondition(g.Key, g.Value)));
        return conditions;
    }

    private static PodCondition InitializedCondition(PodState pod)
    {
        if (pod.Phase == PodPhase.Succeeded)
        {
            return new PodCondition(Initialized, true, "PodCompleted");
        }

        // A container that has run means the pod was initialized before.
        if (pod.Containers.Any(c => !c.NeverRan))
        {
            return new PodCondition(Initialized, true);
        }

        // A sidecar counts once it has started, a plain init container once it has completed.
        var incomplete = pod.InitContainers.Where(c => c.IsSidecar ? !c.Started : !c.Ready).Select(c => c.Name).ToList();
        return incomplete.Count == 0
            ? new PodCondition(Initialized, true)
            : new PodCondition(Initialized, false, "ContainersNotInitialized", $"containers with incomplete status: {List(incomplete)}");
    }

    private static PodCondition ContainersReadyCondition(PodState pod)
    {
        switch (pod.Phase)
        {
            case PodPhase.Succeeded:
                return new PodCondition(ContainersReady, false, "PodCompleted");
            case PodPhase.Failed:
                return new PodCondition(ContainersReady, false, "PodFailed");
        }

        var unready = pod.Sidecars.Concat(pod.Containers).Where(c => !c.Ready).Select(c => c.Name).ToList();
        return unready.Count == 0 && pod.Containers.Length > 0
            ? new PodCondition(ContainersReady, true)
            : new PodCondition(ContainersReady, false, "ContainersNotReady", $"containers with unready status: {List(unready)}");
    }

    private static PodCondition ReadyCondition(PodState pod)
    {
        var unready = new List<string>();
        foreach (var gate in pod.Spec.ReadinessGates ?? [])
        {
            if (!pod.GateConditions.TryGetValue(gate.ConditionType, out var value))
            {
                unready.Add($"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.");
            }
            else if (!value)
            {
                unready.Add($"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but False");
            }
        }

        return unready.Count == 0 ? new PodCondition(Ready, true) : new PodCondition(Ready, false, "ReadinessGatesNotReady", string.Join(", ", unready));
    }

    /// <summary>A list of names as Go's <c>%s</c> prints a slice: <c>[web sidecar]</c>.</summary>
    private static string List(IEnumerable<string> names) => $"[{string.Join(' ', names)}]";
}
