namespace Gateway.Runtimes;

/// <summary>A declared container port and the host port the runtime gave it.</summary>
public sealed record PortMapping(string? Name, int ContainerPort, int HostPort);
