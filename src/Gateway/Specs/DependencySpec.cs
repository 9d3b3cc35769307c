namespace Gateway.Specs;

/// <summary>What a service waits for in another (<c>DependsOn</c>), in compose's words <c>service_started</c>, <c>service_healthy</c> and <c>service_completed_successfully</c>.</summary>
public enum DependencyCondition
{
    /// <summary>A pod of the dependency is running (compose's <c>service_started</c>).</summary>
    Started,

    /// <summary>At least one pod of the dependency is Ready, or every replica with <c>"Replicas": "All"</c> (compose's <c>service_healthy</c>).</summary>
    Ready,

    /// <summary>The dependency is a Job whose pod exited 0 (compose's <c>service_completed_successfully</c>).</summary>
    Succeeded,
}

/// <summary>What happens to a dependent whose dependency stops holding its condition after it once held.</summary>
public enum DependencyPropagation
{
    /// <summary>Nothing, as in Kubernetes: the dependent runs on.</summary>
    None,

    /// <summary>The dependent's pods get a false readiness gate (<see cref="DependencySpec.ReadinessGate"/>) until the dependency holds again: they leave routing.</summary>
    Readiness,

    /// <summary>The dependent's pods are deleted (drained) and recreated once the dependency holds again.</summary>
    Restart,
}

/// <summary>One entry of a service's <c>DependsOn</c>: the service it waits for, and how.</summary>
/// <param name="Service">The other service's name.</param>
/// <param name="AllReplicas"><c>"Replicas": "All"</c>: with <see cref="DependencyCondition.Ready"/>, every replica must be Ready, not one.</param>
public sealed record DependencySpec(string Service, DependencyCondition Condition, bool AllReplicas = false, DependencyPropagation Propagate = DependencyPropagation.None)
{
    /// <summary>The condition type of the readiness gate that <see cref="DependencyPropagation.Readiness"/> gives the dependent's pods.</summary>
    public const string ReadinessGate = "gateway.io/dependencies-ready";

    /// <summary>In words, for the messages of a waiting pod: <c>db to be Ready</c>.</summary>
    public string Describe() => Condition switch
    {
        DependencyCondition.Started => $"{Service} to be Started",
        DependencyCondition.Succeeded => $"{Service} to have Succeeded",
        _ => AllReplicas ? $"{Service} to be Ready (all replicas)" : $"{Service} to be Ready",
    };
}

/// <summary>A run-to-completion service (<c>Job</c>, or a <c>batch/v1</c> Job manifest): one pod, <c>completions</c> 1.</summary>
/// <param name="BackoffLimit">Failures allowed before the Job is Failed (<c>BackoffLimitExceeded</c>); Kubernetes' default is 6.</param>
public sealed record JobSpec(int BackoffLimit = JobSpec.DefaultBackoffLimit)
{
    public const int DefaultBackoffLimit = 6;

    /// <summary>The highest <c>BackoffLimit</c> taken: each failure may wait up to 300 s, so more says nothing useful.</summary>
    public const int MaxBackoffLimit = 1000;

    /// <summary>The label Kubernetes gives a Job's pods (and the older <c>job-name</c>).</summary>
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
}
