using System.Globalization;
using System.Runtime.CompilerServices;
using Gateway.Specs;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Routing;

/// <summary>
/// A service's routing settings as they travel with its YARP cluster: written into
/// <see cref="ClusterConfig.Metadata"/> when the config is built, and parsed at most once per
/// <see cref="ClusterConfig"/> instance (YARP keeps per-cluster state the same way, in a
/// <see cref="ConditionalWeakTable{TKey, TValue}"/> keyed by the object it belongs to). The request
/// path reads them from the cluster it already holds, not from the catalog.
/// </summary>
/// <param name="SlowStart">The slow-start window; zero when new pods get a full share at once.</param>
/// <param name="Retries">How failed requests are retried to another endpoint.</param>
internal sealed record ClusterSettings(TimeSpan SlowStart, RetrySpec Retries)
{
    public const string SlowStartKey = "Gateway.SlowStart";
    public const string AttemptsKey = "Gateway.Retries.Attempts";
    public const string BudgetPercentKey = "Gateway.Retries.BudgetPercent";
    public const string MinConcurrentKey = "Gateway.Retries.MinConcurrent";
    public const string BufferBytesKey = "Gateway.Retries.BufferBytes";

    private static readonly ConditionalWeakTable<ClusterConfig, ClusterSettings> Parsed = [];

    /// <summary>A service's settings.</summary>
    public static ClusterSettings From(ServiceSpec service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new ClusterSettings(service.SlowStart, service.Retries);
    }

    /// <summary>The settings a cluster carries; the defaults of <see cref="RetrySpec"/> and no slow start for what it does not.</summary>
    public static ClusterSettings Of(ClusterConfig cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return Parsed.GetValue(cluster, static c => Parse(c.Metadata));
    }

    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        [SlowStartKey] = SlowStart.ToString("c", CultureInfo.InvariantCulture),
        [AttemptsKey] = Retries.Attempts.ToString(CultureInfo.InvariantCulture),
        [BudgetPercentKey] = Retries.BudgetPercent.ToString("R", CultureInfo.InvariantCulture),
        [MinConcurrentKey] = Retries.MinConcurrent.ToString(CultureInfo.InvariantCulture),
        [BufferBytesKey] = Retries.BufferBytes.ToString(CultureInfo.InvariantCulture),
    };

    private static ClusterSettings Parse(IReadOnlyDictionary<string, string>? metadata)
    {
        var d = RetrySpec.Default;
        return new ClusterSettings(
            Read(metadata, SlowStartKey, s => TimeSpan.ParseExact(s, "c", CultureInfo.InvariantCulture), TimeSpan.Zero),
            new RetrySpec(
                Read(metadata, AttemptsKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.Attempts),
                Read(metadata, BudgetPercentKey, s => double.Parse(s, CultureInfo.InvariantCulture), d.BudgetPercent),
                Read(metadata, MinConcurrentKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.MinConcurrent),
                Read(metadata, BufferBytesKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.BufferBytes)));
    }

    // Only the config provider writes these keys, from a validated spec: a value that does not parse is a bug, not user input.
    private static T Read<T>(IReadOnlyDictionary<string, string>? metadata, string key, Func<string, T> parse, T fallback) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? parse(value) : fallback;
}
