using Gateway.Pods;

namespace Gateway.Controllers;

/// <summary>
/// When a replicated service may replace a pod that ended (docs/semantics.md#termination-ended-pods):
/// on its own (not one that was deleted), like a crash loop: the first replacement comes at once, the next after 10 s, 20 s ... 300 s, each
/// counted from when the pod it replaces ended, and the loop starts over once a pod ended more than 10
/// minutes after the last replacement. The back-off is the kubelet's (<see cref="RestartBackoff"/>);
/// this adds up to when ended pods have been answered, so that each is decided once, and the one it
/// holds a replacement for, so that the wait outlives that pod being removed from the history.
/// </summary>
public sealed record ReplacementBackoff(RestartBackoff? Backoff, DateTimeOffset? AnsweredUpTo, string? Held = null, DateTimeOffset? HeldEnded = null)
{
    public static readonly ReplacementBackoff None = new(null, null);

    /// <summary>
    /// Given the service's ended pods: <c>HeldUntil</c> is null when new pods may be created now, else
    /// when they may; <c>Next</c> is the state to keep; <c>Replacing</c> names the ended pod that a held
    /// or newly allowed replacement is for (null when nothing new ended).
    /// </summary>
    public static (DateTimeOffset? HeldUntil, ReplacementBackoff Next, string? Replacing) Decide(
        ReplacementBackoff state, IEnumerable<PodState> ended, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ended);
        // A pod that ended because it was deleted (a rollout, a scale-down, kubectl delete) did not fail:
        // its replacement is the controller's plan, not a crash loop to slow down.
        var candidates = ended.Where(p => p.IsTerminal && !p.IsDeleting && (state.AnsweredUpTo is not { } answered || p.FinishedAt > answered))
            .Select(p => (p.Name, End: p.FinishedAt!.Value)).ToList();
        if (state.Held is { } held && state.HeldEnded is { } heldEnded && candidates.TrueForAll(c => c.Name != held))
        {
            candidates.Add((held, heldEnded));
        }

        if (candidates.Count == 0)
        {
            return (null, state, null);
        }

        var (name, end) = candidates.MaxBy(c => c.End);
        var (waitUntil, backoff) = RestartBackoff.Decide(state.Backoff, end, now);
        return waitUntil is { } until
            ? (until, state with { Held = name, HeldEnded = end }, name)
            : (null, new ReplacementBackoff(backoff, end), name);
    }
}
