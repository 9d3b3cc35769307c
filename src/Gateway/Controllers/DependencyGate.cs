using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>What a dependency shows of itself, as plain counts: the gate decides over these alone.</summary>
/// <param name="Replicas">The replicas it should have (its endpoints, for a Kubernetes or Static service).</param>
/// <param name="Running">Its pods that run (phase Running, not being deleted).</param>
/// <param name="Ready">Its Ready pods (ready endpoints).</param>
/// <param name="Succeeded">A Job whose pod exited 0.</param>
public sealed record DependencyState(int Replicas, int Running, int Ready, bool Succeeded)
{
    /// <summary>A service's state from its pods (a service the gateway runs) or its endpoints (Kubernetes, Static).</summary>
    public static DependencyState Of(ServiceSpec service, IEnumerable<PodState> pods, IEnumerable<(string Service, bool Ready)> endpoints)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Pods is not { } backend)
        {
            var mine = endpoints.Where(e => e.Service == service.Name).ToList();
            return new DependencyState(mine.Count, mine.Count, mine.Count(e => e.Ready), false);
        }

        var own = pods.Where(p => p.ServiceName == service.Name && !p.IsDeleting).ToList();
        return new DependencyState(
            backend.Replicas,
            own.Count(p => p.Phase == PodPhase.Running),
            own.Count(p => p.Ready),
            backend.Job is not null && own.Any(p => p.Phase == PodPhase.Succeeded && p.TemplateHash == backend.TemplateHash));
    }
}

/// <summary>
/// The endpoints of the services the gateway does not run (Kubernetes, Static) as their dependents
/// see them: the host wires it to routing's endpoint table, a layer above the controllers.
/// </summary>
public sealed class ExternalEndpoints(Func<IEnumerable<(string Service, bool Ready)>> read)
{
    public static readonly ExternalEndpoints None = new(() => []);

    /// <summary>Raised after an endpoint was added, removed or changed readiness.</summary>
    public event Action? Changed;

    public IEnumerable<(string Service, bool Ready)> Read() => read();

    public void RaiseChanged() => Changed?.Invoke();
}

/// <summary>
/// Whether a service's pods may be created: every <c>DependsOn</c> condition holds. A pure function
/// of the dependencies' states; the replica controller keeps the pods Pending while it does not.
/// </summary>
public static class DependencyGate
{
    /// <summary>The condition type and reason of a Pending pod's <c>PodScheduled=False</c> while it waits.</summary>
    public const string Reason = "DependenciesNotReady";

    /// <summary>The reason of the false readiness gate that <c>"Propagate": "Readiness"</c> sets.</summary>
    public const string NotReadyReason = "DependencyNotReady";

    /// <summary>Whether <paramref name="state"/> meets <paramref name="dependency"/>'s condition; a service that does not exist meets none.</summary>
    public static bool Holds(DependencySpec dependency, DependencyState? state)
    {
        ArgumentNullException.ThrowIfNull(dependency);
        return state is not null && dependency.Condition switch
        {
            // A Job that already completed has started.
            DependencyCondition.Started => state.Running > 0 || state.Succeeded,
            DependencyCondition.Succeeded => state.Succeeded,
            _ => dependency.AllReplicas ? state.Ready >= state.Replicas && state.Ready > 0 : state.Ready > 0,
        };
    }

    /// <summary>The dependencies whose condition does not hold, in the order given (configuration lists them by name).</summary>
    public static IReadOnlyList<DependencySpec> Waiting(IEnumerable<DependencySpec> dependsOn, IReadOnlyDictionary<string, DependencyState> states)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        ArgumentNullException.ThrowIfNull(states);
        return [.. dependsOn.Where(d => !Holds(d, states.GetValueOrDefault(d.Service)))];
    }

    /// <summary>The message of a waiting pod's condition and event: <c>waiting for db to be Ready, migrate to have Succeeded</c>.</summary>
    public static string Message(IEnumerable<DependencySpec> waiting) => $"waiting for {string.Join(", ", waiting.Select(w => w.Describe()))}";
}

/// <summary>What the controller does to a released dependent for one of its dependencies.</summary>
public enum PropagationAction
{
    None,

    /// <summary>Set the dependent's readiness gate False (<see cref="DependencyGate.NotReadyReason"/>).</summary>
    GateFalse,

    /// <summary>Set the dependent's readiness gate True.</summary>
    GateTrue,

    /// <summary>Delete the dependent's pods (drained) so that they are created again.</summary>
    Restart,
}

/// <summary>
/// <c>Propagate</c> as a plain function: given the mode, whether the dependency's condition holds now
/// and whether it stopped holding since the dependent last acted, the action and whether it is still
/// owed. Readiness follows the dependency each time; Restart waits until it is back, then acts once.
/// </summary>
public static class DependencyPropagationDecision
{
    public static (PropagationAction Action, bool WentDown) Decide(DependencyPropagation mode, bool holds, bool wentDown) => mode switch
    {
        DependencyPropagation.Readiness => (holds ? PropagationAction.GateTrue : PropagationAction.GateFalse, !holds),
        DependencyPropagation.Restart when !holds => (PropagationAction.None, true),
        DependencyPropagation.Restart when wentDown => (PropagationAction.Restart, false),
        _ => (PropagationAction.None, false),
    };
}
