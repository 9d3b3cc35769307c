namespace Gateway.Pods;

/// <summary>The pod phase, as in <c>v1.PodPhase</c>.</summary>
public enum PodPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}
