using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>A Job's status as the Job controller counts it, from its pods.</summary>
/// <param name="Condition"><c>Complete</c>, <c>Failed</c>, or null while it runs.</param>
public sealed record JobStatus(int Active, int Succeeded, int Failed, string? Condition, string? Reason, string? Message, DateTimeOffset? StartTime, DateTimeOffset? CompletionTime)
{
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
}

/// <summary>
/// A run-to-completion service's decision as a plain function (the Job controller's, <c>completions</c>
/// 1, <c>parallelism</c> 1): one pod at a time; Complete once a pod of the current template exited 0,
/// and never a pod after that; a failed pod replaced (the replica controller's back-off) until the
/// failures (failed pods, and container restarts under OnFailure, as Kubernetes counts them) pass
/// <c>backoffLimit</c>: then the Job is Failed with <c>BackoffLimitExceeded</c> and its running pod
/// is deleted. Ended pods are kept, for the status and the logs; a changed template runs the Job again.
/// </summary>
public static class JobDecision
{
    public static (int Create, IReadOnlyList<string> Delete, JobStatus Status) Decide(JobSpec job, IReadOnlyCollection<PodState> pods, string templateHash)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(pods);
        var delete = pods.Where(p => p.TemplateHash != templateHash && !p.IsDeleting).Select(p => p.Name).ToList();
        var current = pods.Where(p => p.TemplateHash == templateHash).ToList();
        var active = current.Where(p => !p.IsTerminal).ToList();
        var succeeded = current.Where(p => p.Phase == PodPhase.Succeeded).ToList();
        var failedPods = current.Count(p => p.Phase == PodPhase.Failed);
        var failures = failedPods + current.Sum(p => p.Containers.Sum(c => c.RestartCount));
        var started = current.Select(p => p.StartTime ?? p.CreatedAt).DefaultIfEmpty().Min();
        DateTimeOffset? start = current.Count > 0 ? started : null;
        if (succeeded.Count > 0)
        {
            var done = succeeded.Min(p => p.FinishedAt);
            return (0, delete, new JobStatus(active.Count, succeeded.Count, failedPods, "Complete", null, null, start, done));
        }

        if (failures > job.BackoffLimit)
        {
            delete.AddRange(active.Where(p => !p.IsDeleting).Select(p => p.Name));
            return (0, delete, new JobStatus(active.Count, 0, failedPods, "Failed", JobStatus.BackoffLimitExceeded, "Job has reached the specified backoff limit", start, null));
        }

        var create = active.Count == 0 ? 1 : 0;
        return (create, delete, new JobStatus(active.Count, 0, failedPods, null, null, null, start, null));
    }
}
