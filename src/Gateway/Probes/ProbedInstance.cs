using Gateway.Specs;

namespace Gateway.Probes;

/// <summary>The probed container instance at one tick, as much of it as a probe worker needs.</summary>
/// <param name="Current">The instance the worker was made for still exists and runs.</param>
/// <param name="Started">It has started: its startup probe succeeded, or it has none.</param>
/// <param name="Terminating">Its pod is being deleted: liveness and startup stop, readiness goes on.</param>
public readonly record struct ProbedInstance(bool Current, bool Started, bool Terminating)
{
    /// <summary>
    /// Whether a probe of <paramref name="kind"/> runs on this instance at all: it must be current,
    /// and liveness and startup stop once its pod terminates (no liveness kill during shutdown).
    /// </summary>
    public bool IsProbedBy(ProbeKind kind) => Current && (kind == ProbeKind.Readiness || !Terminating);
}
