using System.Globalization;
using k8s.Models;

namespace Gateway.Runtimes.Process;

/// <summary>
/// What a container's <c>resources.limits</c> become in its cgroup, computed as the kubelet does:
/// memory in bytes (rounded up), CPU as a CFS quota per 100 ms period (milli-CPUs rounded up, at
/// least 1 ms per period, the kernel's smallest quota); a zero limit is no limit, as the kubelet
/// reads it. Requests are scheduling hints and set nothing.
/// </summary>
internal sealed record CgroupLimits(long? MemoryBytes, long? CpuQuotaMicroseconds)
{
    /// <summary>The CFS period the kubelet uses (its <c>cpuCFSQuotaPeriod</c> default).</summary>
    public const long CpuPeriodMicroseconds = 100_000;

    /// <summary>The smallest quota the kernel takes (the kubelet's <c>MinQuotaPeriod</c>).</summary>
    public const long MinCpuQuotaMicroseconds = 1_000;

    public static readonly CgroupLimits None = new(null, null);

    public bool IsEmpty => MemoryBytes is null && CpuQuotaMicroseconds is null;

    /// <summary>The limits of <paramref name="resources"/> (already validated: non-negative, in range).</summary>
    public static CgroupLimits From(V1ResourceRequirements? resources)
    {
        var limits = resources?.Limits;
        if (limits is null)
        {
            return None;
        }

        long? memory = limits.TryGetValue("memory", out var m) && m?.ToDecimal() is decimal bytes and > 0 ? (long)decimal.Ceiling(bytes) : null;
        long? cpu = limits.TryGetValue("cpu", out var c) && c?.ToDecimal() is decimal cpus and > 0 ? CpuQuota(cpus) : null;
        return new CgroupLimits(memory, cpu);
    }

    /// <summary>The kubelet's <c>milliCPUToQuota</c>: a CPU amount as microseconds per <see cref="CpuPeriodMicroseconds"/>.</summary>
    public static long CpuQuota(decimal cpus)
    {
        var milliCpus = decimal.Ceiling(cpus * 1000);
        var quota = (long)(milliCpus * CpuPeriodMicroseconds / 1000);
        return Math.Max(quota, MinCpuQuotaMicroseconds);
    }

    /// <summary>The text of cgroup v2's <c>cpu.max</c>: "quota period", or "max period" without a limit.</summary>
    public string CpuMax => $"{(CpuQuotaMicroseconds is { } quota ? quota.ToString(CultureInfo.InvariantCulture) : "max")} {CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture)}";
}
