using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>The restart decisions of docs/semantics.md#restarts, as plain functions.</summary>
public static class RestartRules
{
    /// <summary>The grace period never goes below this when the gateway kills a container for a failed probe.</summary>
    public static readonly TimeSpan MinimumKillGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// An instance that ends more than this after its back-off last moved (twice the maximum, as the
    /// kubelet's <c>hasExpired</c>) starts the crash loop over.
    /// </summary>
    public static readonly TimeSpan BackoffReset = TimeSpan.FromMinutes(10);

    /// <summary>
    /// While a restart backs off, the kubelet syncs the pod again after this long (its pod worker's
    /// <c>backOffPeriod</c>) and records the <c>BackOff</c> event again each time.
    /// </summary>
    public static readonly TimeSpan BackoffEventPeriod = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long a failed pull shows <c>ErrImagePull</c> before the container shows <c>ImagePullBackOff</c>
    /// for the rest of the wait: the kubelet's next pod sync, which finds the pull backing off.
    /// </summary>
    public static readonly TimeSpan ErrImagePullShownFor = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a dead container is started again. A container the gateway killed for a failed liveness
    /// or startup probe is restarted under any policy but <c>Never</c>, whatever its exit code, as the
    /// kubelet's <c>computePodActions</c> decides the restart with the kill.
    /// </summary>
    public static bool ShouldRestart(string restartPolicy, int exitCode, bool podDeleting, bool killedForProbe = false) =>
        !podDeleting && restartPolicy switch
        {
            "Never" => false,
            "OnFailure" => killedForProbe || exitCode != 0,
            _ => true,
        };

    /// <summary>
    /// The policy a container's exits follow: a sidecar's is <c>Always</c> whatever the pod's; a plain
    /// init container's is the pod's, but <c>Always</c> restarts it on failure only (as <c>OnFailure</c>).
    /// </summary>
    public static string EffectivePolicy(string podRestartPolicy, bool isInit, bool isSidecar) =>
        isSidecar ? "Always" : isInit && podRestartPolicy == "Always" ? "OnFailure" : podRestartPolicy;

    /// <summary>Whether the kill of a container for a failed probe is followed by a restart: the <c>Killing</c> event says so.</summary>
    public static bool RestartsAfterProbeKill(string restartPolicy) => restartPolicy != "Never";

    /// <summary>
    /// CrashLoopBackOff: the delay before the restart number <paramref name="step"/> of a crash loop
    /// (0-based): 0, 10 s, 20 s, 40 s, 80 s, 160 s, 300 s, 300 s ...
    /// </summary>
    public static TimeSpan BackoffDelay(int step)
    {
        if (step <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = InitialBackoff.TotalSeconds * Math.Pow(2, Math.Min(step - 1, 16));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaximumBackoff.TotalSeconds));
    }

    /// <summary>
    /// The wait before creating a container again after <paramref name="failures"/> failed creations in a
    /// row (image pulls, runtime errors): the kubelet's image back-off, 10 s, 20 s, 40 s ... 300 s.
    /// </summary>
    public static TimeSpan CreateBackoffDelay(int failures) => BackoffDelay(Math.Max(1, failures));

    /// <summary>Whether a start failure leaves the container <c>Waiting</c> (to be retried) instead of counting as an exit.</summary>
    public static bool IsWaitingFailure(string reason) => reason != Runtimes.ContainerStartException.StartError;

    /// <summary>The grace period of a probe kill: the probe's, else the pod's, never below 2 s.</summary>
    public static TimeSpan KillGracePeriod(V1Probe? probe, long? podGracePeriodSeconds)
    {
        var seconds = probe?.TerminationGracePeriodSeconds ?? podGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds;
        var grace = TimeSpan.FromSeconds(seconds);
        return grace < MinimumKillGracePeriod ? MinimumKillGracePeriod : grace;
    }
}
