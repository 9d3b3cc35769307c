namespace Gateway.Runtimes;

/// <summary>
/// A container instance that can say what it has used so far, as the kubelet's summary API reads a
/// container's cgroup: the CPU time it has consumed since it started and the memory it holds now.
/// A rate (what <c>kubectl top</c> prints) is the difference of two readings over the time between them.
/// </summary>
public interface IUsageReporting
{
    /// <summary>The instance's usage now; null when it has no process left to read (it has exited or is being removed).</summary>
    Task<ContainerUsage?> ReadUsageAsync(CancellationToken cancellationToken);
}

/// <summary>One reading of a container instance's usage.</summary>
/// <param name="CpuTime">CPU time consumed since the instance started (user and system, its reaped children's included): it only grows.</param>
/// <param name="MemoryBytes">The memory the instance holds now: its working set where the runtime knows it, else its resident set.</param>
public sealed record ContainerUsage(TimeSpan CpuTime, long MemoryBytes);
