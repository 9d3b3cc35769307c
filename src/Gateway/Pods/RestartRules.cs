using k8s.Models;

namespace Gateway.Pods;

/// <summary>The restart decisions of SEMANTICS.md, "Restarts", as plain functions.</summary>
public static class RestartRules
{
    /// <summary>The grace period never goes below this when the gateway kills a container for a failed probe.</summary>
    public static readonly TimeSpan MinimumKillGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>After running this long without trouble, a container's back-off starts again from zero.</summary>
    public static readonly TimeSpan BackoffReset = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(300);

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

    /// <summary>The crash-loop step for the next restart, given how long the instance that just exited ran.</summary>
    public static int NextBackoffStep(int currentStep, TimeSpan ranFor) => ranFor >= BackoffReset ? 0 : currentStep;

    /// <summary>The grace period of a probe kill: the probe's, else the pod's, never below 2 s.</summary>
    public static TimeSpan KillGracePeriod(V1Probe? probe, long? podGracePeriodSeconds)
    {
        var seconds = probe?.TerminationGracePeriodSeconds ?? podGracePeriodSeconds ?? 30;
        var grace = TimeSpan.FromSeconds(seconds);
        return grace < MinimumKillGracePeriod ? MinimumKillGracePeriod : grace;
    }
}
