namespace Gateway.Pods;

/// <summary>A finished container instance: <c>v1.ContainerStateTerminated</c>.</summary>
public sealed record Termination(int ExitCode, string Reason, string? Message, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string InstanceId);
