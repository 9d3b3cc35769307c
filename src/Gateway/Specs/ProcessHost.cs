namespace Gateway.Specs;

/// <summary>
/// What the host lets the Process runtime do, as the settings need to know it: whether resource
/// limits can be enforced (cgroups the gateway may create) and whether volumes can be mounted (a
/// private mount namespace). The runtime detects it; the
/// composition root hands it over before the first read (<see cref="CgroupProblem"/>), so that
/// Specs reads no host state of its own and unit tests load settings without touching the host.
/// </summary>
public static class ProcessHost
{
    /// <summary>Why resource limits cannot be enforced on this host; null when they can (the default until told).</summary>
    public static Func<string?> CgroupProblem { get; set; } = static () => null;

    /// <summary>Why containers get no mount namespace of their own on this host (so no volumes); null when they do (the default until told).</summary>
    public static Func<string?> MountNamespaceProblem { get; set; } = static () => null;
}
