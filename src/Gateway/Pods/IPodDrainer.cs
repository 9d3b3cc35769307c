namespace Gateway.Pods;

/// <summary>Takes a terminating pod out of rotation and waits for its in-flight requests.</summary>
public interface IPodDrainer
{
    /// <summary>Completes when the pod has no request in flight, or at <paramref name="deadline"/>.</summary>
    Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken);
}
