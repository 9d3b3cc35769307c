namespace Gateway.Runtimes;

/// <summary>
/// A container instance's CPU rate and memory over a window, from two <see cref="ContainerUsage"/>
/// readings: what metrics-server reports from two scrapes of the kubelet. The gateway takes both
/// readings when it is asked (<see cref="SampleAsync"/>), a short gap apart, instead of keeping a
/// sampling timer per container: nothing runs when nobody looks, and the answer is never older than
/// the request.
/// </summary>
/// <param name="NanoCores">CPU in billionths of a core, averaged over <paramref name="Window"/>.</param>
/// <param name="MemoryBytes">The memory the later reading found.</param>
/// <param name="Window">The time between the two readings.</param>
public sealed record UsageRate(long NanoCores, long MemoryBytes, TimeSpan Window)
{
    /// <summary>
    /// The rate between <paramref name="before"/> and <paramref name="after"/>, taken <paramref name="elapsed"/>
    /// apart. CPU time that went down (a process left the group without a parent in it to inherit its
    /// time) counts as none rather than as a negative rate.
    /// </summary>
    public static UsageRate Between(ContainerUsage before, ContainerUsage after, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var used = after.CpuTime - before.CpuTime;
        var nanoCores = elapsed <= TimeSpan.Zero || used <= TimeSpan.Zero ? 0 : (long)Math.Round(used.TotalSeconds / elapsed.TotalSeconds * 1e9);
        return new UsageRate(nanoCores, after.MemoryBytes, elapsed);
    }

    /// <summary>
    /// Reads every instance, waits <paramref name="gap"/>, reads them again, and gives each one's rate
    /// (by the key it came with) over the time between its own two readings. An instance that has no
    /// usage in either reading (it exited meanwhile) is left out.
    /// </summary>
    public static async Task<IReadOnlyDictionary<TKey, UsageRate>> SampleAsync<TKey>(
        IReadOnlyCollection<(TKey Key, IUsageReporting Instance)> instances, TimeSpan gap, TimeProvider time, CancellationToken cancellationToken)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(time);
        var first = await Task.WhenAll(instances.Select(i => ReadAsync(i.Instance, time, cancellationToken)));
        if (instances.Count > 0)
        {
            await Task.Delay(gap, time, cancellationToken);
        }

        var second = await Task.WhenAll(instances.Select(i => ReadAsync(i.Instance, time, cancellationToken)));
        var rates = new Dictionary<TKey, UsageRate>();
        foreach (var (instance, index) in instances.Select((i, n) => (i, n)))
        {
            if (first[index] is ({ } before, var from) && second[index] is ({ } after, var to))
            {
                rates[instance.Key] = Between(before, after, time.GetElapsedTime(from, to));
            }
        }

        return rates;
    }

    private static async Task<(ContainerUsage? Usage, long Timestamp)> ReadAsync(IUsageReporting instance, TimeProvider time, CancellationToken cancellationToken)
    {
        var usage = await instance.ReadUsageAsync(cancellationToken);
        return (usage, time.GetTimestamp());
    }
}
