namespace Gateway.Specs;

/// <summary>Where the gateway runs a service's pods.</summary>
public enum RuntimeKind
{
    /// <summary>Each container is a host process (the default; no dependencies).</summary>
    Process,

    /// <summary>Each container instance is a Docker container, through the engine at <c>Gateway:Docker:Endpoint</c>.</summary>
    Docker,
}
