namespace Gateway.Runtimes;

/// <summary>
/// What a stopping gateway does with its pods, for every runtime: stop them all (the default, as
/// today), or leave them running for the next gateway to adopt (<c>Gateway:KeepPodsOnShutdown</c>,
/// or its deprecated alias <c>Gateway:Docker:KeepContainersOnShutdown</c>). A hand-over sets
/// <see cref="KeepPods"/> at run time, before it stops this gateway; a SIGKILL leaves the pods anyway.
/// </summary>
/// <param name="settings">The current <c>KeepPodsOnShutdown</c> setting (a reload changes it).</param>
public sealed class PodShutdownPolicy(Func<bool> settings)
{
    private volatile int _override = -1;

    public PodShutdownPolicy(bool keepPods)
        : this(() => keepPods)
    {
    }

    /// <summary>True: a shutdown drains the listeners and leaves every pod running. Set, it overrides the setting until the gateway exits.</summary>
    public bool KeepPods
    {
        get => _override switch { 0 => false, 1 => true, _ => settings() };
        set => _override = value ? 1 : 0;
    }
}
