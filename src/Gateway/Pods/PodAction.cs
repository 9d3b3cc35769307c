namespace Gateway.Pods;

/// <summary>What <see cref="PodLifecycle"/> asks the pod worker to do.</summary>
public abstract record PodAction
{
    public sealed record StartContainer(string Container) : PodAction;

    public sealed record KillContainer(string Container, string InstanceId, TimeSpan GracePeriod) : PodAction;

    /// <summary>Drain the pod, then stop every running container within <paramref name="GracePeriod"/>.</summary>
    public sealed record TerminatePod(TimeSpan GracePeriod) : PodAction;

    /// <summary>
    /// Stop every running container of the pod within <paramref name="GracePeriod"/>, the containers
    /// first and then the sidecars in reverse order, and keep the pod (its deadline passed, or its
    /// containers completed).
    /// </summary>
    public sealed record StopContainers(TimeSpan GracePeriod) : PodAction;

    /// <summary>Record a Kubernetes event about the pod; <paramref name="FieldPath"/> names the container it is about (<c>spec.containers{web}</c>).</summary>
    public sealed record RecordEvent(string Type, string Reason, string Message, string? FieldPath = null) : PodAction;

    /// <summary>Post a <see cref="PodEvent.Wake"/> at <paramref name="At"/>.</summary>
    public sealed record WakeAt(DateTimeOffset At) : PodAction;
}
