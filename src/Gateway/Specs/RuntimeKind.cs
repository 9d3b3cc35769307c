namespace Gateway.Specs;

/// <summary>Where a service's pods run.</summary>
public enum RuntimeKind
{
    /// <summary>Each container is a host process (the default; no dependencies).</summary>
    Process,

    /// <summary>The pods are a Kubernetes cluster's: the gateway routes to the EndpointSlices of a named Service.</summary>
    Kubernetes,
    /// <summary>Each container instance is a Docker container, through the engine at <c>Gateway:Docker:Endpoint</c>.</summary>
    Docker,
}
