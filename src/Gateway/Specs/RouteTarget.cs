namespace Gateway.Specs;

/// <summary>
/// The container port a service's route sends to, when a manifest's Service chose one by its
/// <c>targetPort</c>: the container that declares it and its <c>containerPort</c>. Without one the
/// route sends to the first port the pod declares (of its first container that declares one).
/// </summary>
public sealed record RouteTarget(string Container, int ContainerPort);
