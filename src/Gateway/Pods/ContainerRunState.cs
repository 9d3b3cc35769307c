namespace Gateway.Pods;

/// <summary>Which of <c>v1.ContainerState</c>'s three members is set.</summary>
public enum ContainerRunState
{
    Waiting,
    Running,
    Terminated,
}
