using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// The usage of a Docker container from the engine's stats API (one reading, <c>stream=false</c> and
/// <c>one-shot=true</c>, so the engine answers at once instead of waiting for a second sample):
/// CPU is <c>cpu_stats.cpu_usage.total_usage</c>, the cgroup's cumulative CPU time; memory is the
/// working set as cAdvisor and <c>docker stats</c> compute it, <c>memory_stats.usage</c> minus the
/// page cache the kernel may reclaim first (<c>inactive_file</c> on cgroup v2, <c>total_inactive_file</c> on v1).
/// </summary>
internal static class DockerUsage
{
    /// <summary>How long a reading waits for the engine: one that does not answer leaves the container out of the answer instead of holding it up.</summary>
    private static readonly TimeSpan EngineTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The container's usage now; null when it is gone or the engine does not answer (the engine monitor reports an outage).</summary>
    public static async Task<ContainerUsage?> ReadAsync(DockerClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var last = new LastReport();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EngineTimeout);
        try
        {
            await client.Containers.GetContainerStatsAsync(id, new ContainerStatsParameters { Stream = false, OneShot = true }, last, timeout.Token);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }

        return last.Value is { } stats ? FromStats(stats) : null;
    }

    /// <summary>The usage in one stats reading; null when the container is not running (the engine then reports no CPU and no memory).</summary>
    public static ContainerUsage? FromStats(ContainerStatsResponse stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var cpu = stats.CPUStats?.CPUUsage?.TotalUsage ?? 0;
        var memory = stats.MemoryStats?.Usage ?? 0;
        if (cpu == 0 && memory == 0)
        {
            return null;
        }

        var values = stats.MemoryStats?.Stats;
        var inactive = values is null ? 0 : values.TryGetValue("inactive_file", out var v2) ? v2 : values.TryGetValue("total_inactive_file", out var v1) ? v1 : 0;
        var workingSet = inactive < memory ? memory - inactive : 0;
        return new ContainerUsage(TimeSpan.FromTicks((long)(cpu / 100)), (long)workingSet);
    }

    /// <summary>Keeps the frame the engine sends; the client reports it before its call returns.</summary>
    private sealed class LastReport : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Value { get; private set; }

        public void Report(ContainerStatsResponse value) => Value = value;
    }
}
