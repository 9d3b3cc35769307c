using Gateway.Specs;
using k8s.Models;

namespace Gateway.Pods;

/// <summary>The restart decisions of docs/semantics.md#restarts, as plain functions.</summary>
public static class RestartRules
{
    /// <summary>The grace period never goes below this when the gateway kills a container for a failed probe.</summary>
    public static readonly TimeSpan MinimumKillGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>After running this long without trouble, a container's back-off starts again from zero.</summary>
    public static readonly TimeSpan BackoffReset = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long a failed pull shows <c>ErrImagePull</c> before the container shows <c>ImagePullBackOff</c>
    /// for the rest of the wait: the kubelet's next pod sync, which finds the pull backing off.
    /// </summary>
    public static readonly TimeSpan ErrImagePullShownFor = TimeSpan.FromSeconds(1);

    /// <summary>The exit code of a container the gateway killed.</summary>
    public const int KilledExitCode = 137;

    /// <summary>Whether a dead container is started again.</summary>
    public static bool ShouldRestart(string restartPolicy, int exitCode, bool podDeleting) =>
        !podDeleting && restartPolicy switch
        {
            "Never" => false,
            "OnFailure" => exitCode != 0,
            _ => true,
        };

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

    /// <summary>The crash-loop step for the next restart, given how long the instance that just exited ran.</summary>
    public static int NextBackoffStep(int currentStep, TimeSpan ranFor) => ranFor >= BackoffReset ? 0 : currentStep;

    /// <summary>The grace period of a probe kill: the probe's, else the pod's, never below 2 s.</summary>
    public static TimeSpan KillGracePeriod(V1Probe? probe, long? podGracePeriodSeconds)
    {
        var seconds = probe?.TerminationGracePeriodSeconds ?? podGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds;
        var grace = TimeSpan.FromSeconds(seconds);
        return grace < MinimumKillGracePeriod ? MinimumKillGracePeriod : grace;
    }
}
