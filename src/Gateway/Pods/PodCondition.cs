namespace Gateway.Pods;

/// <summary>One of a pod's conditions as the kubelet generates it: type, status, and why when it is not true.</summary>
public sealed record PodCondition(string Type, bool Status, string? Reason = null, string? Message = null);
