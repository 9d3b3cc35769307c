namespace Gateway.Specs;

/// <summary>The values of a service's <c>Runtime</c>: the two pod runtimes, and the two backends that run no pods.</summary>
internal enum BackendKind
{
    Process,
    Docker,
    Kubernetes,
    Static,
}
