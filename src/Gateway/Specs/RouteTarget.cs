namespace Gateway.Specs;

/// <summary>
/// The container port a service's route sends to, when a manifest's Service chose one by its
/// <c>targetPort</c>: the container that declares it and its <c>containerPort</c>. Without one the
/// route sends to the first port the pod declares (of its first container that declares one).
/// <c>PortName</c> is the container port's name and <c>AppProtocol</c> the Service port's
/// <c>appProtocol</c>: what the backend protocol follows when the service does not set <c>Protocol</c>.
/// </summary>
public sealed record RouteTarget(string Container, int ContainerPort, string? PortName = null, string? AppProtocol = null);
