namespace Gateway.Events;

/// <summary>A Kubernetes-style event about a pod (or a Service), aggregated by (object, type, reason, message).</summary>
public sealed record GatewayEvent
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The kind of the involved object: <c>Pod</c>, <c>Service</c> for a cluster Service the gateway watches, <c>ReplicaSet</c> for a service's replicas (named like its pods' prefix), or <c>Gateway</c> for the gateway's own events (e.g. a refused configuration).</summary>
    public string Kind { get; init; } = "Pod";

    public required string PodName { get; init; }

    public required string PodUid { get; init; }

    public string? FieldPath { get; init; }

    public required string Type { get; init; }

    public required string Reason { get; init; }

    public required string Message { get; init; }

    public int Count { get; init; } = 1;

    public required DateTimeOffset FirstTimestamp { get; init; }

    public required DateTimeOffset LastTimestamp { get; init; }
}
