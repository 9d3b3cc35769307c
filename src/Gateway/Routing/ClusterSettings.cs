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
    /// <summary>The request's, each attempt's, the idle response's and the connection's timeouts.</summary>
    public TimeoutsSpec Timeouts { get; init; } = TimeoutsSpec.Default;

    /// <summary>When a pod is ejected for its failures in a row, and for how long.</summary>
    public OutlierSpec Outlier { get; init; } = OutlierSpec.Default;

    public const string OutlierConsecutive5xxKey = "Gateway.Outlier.Consecutive5xx";
    public const string OutlierConsecutiveGatewayFailuresKey = "Gateway.Outlier.ConsecutiveGatewayFailures";
    public const string OutlierBaseEjectionTimeKey = "Gateway.Outlier.BaseEjectionTime";
    public const string OutlierMaxEjectionPercentKey = "Gateway.Outlier.MaxEjectionPercent";
    public const string OutlierEnabledKey = "Gateway.Outlier.Enabled";

    public const string RequestTimeoutKey = "Gateway.Timeouts.Request";
    public const string RequestTimeoutSetKey = "Gateway.Timeouts.RequestSet";
    public const string BackendRequestTimeoutKey = "Gateway.Timeouts.BackendRequest";
    public const string IdleTimeoutKey = "Gateway.Timeouts.Idle";
    public const string ConnectTimeoutKey = "Gateway.Timeouts.Connect";

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
        return new ClusterSettings(service.SlowStart, service.Retries) { Timeouts = service.Timeouts, Outlier = service.Outlier };
    }

    /// <summary>The settings a cluster carries; the defaults of <see cref="RetrySpec"/> and no slow start for what it does not.</summary>
    public static ClusterSettings Of(ClusterConfig cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return Parsed.GetValue(cluster, static c => Parse(c.Metadata));
    }

    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        [RequestTimeoutKey] = Span(Timeouts.Request),
        [RequestTimeoutSetKey] = Timeouts.RequestSet ? "true" : "false",
        [BackendRequestTimeoutKey] = Span(Timeouts.BackendRequest),
        [IdleTimeoutKey] = Span(Timeouts.Idle),
        [ConnectTimeoutKey] = Span(Timeouts.Connect),
        [OutlierConsecutive5xxKey] = Outlier.Consecutive5xx.ToString(CultureInfo.InvariantCulture),
        [OutlierConsecutiveGatewayFailuresKey] = Outlier.ConsecutiveGatewayFailures.ToString(CultureInfo.InvariantCulture),
        [OutlierBaseEjectionTimeKey] = Outlier.BaseEjectionTime.ToString("c", CultureInfo.InvariantCulture),
        [OutlierMaxEjectionPercentKey] = Outlier.MaxEjectionPercent.ToString(CultureInfo.InvariantCulture),
        [OutlierEnabledKey] = Outlier.Enabled ? "true" : "false",
        [SlowStartKey] = SlowStart.ToString("c", CultureInfo.InvariantCulture),
        [AttemptsKey] = Retries.Attempts.ToString(CultureInfo.InvariantCulture),
        [BudgetPercentKey] = Retries.BudgetPercent.ToString("R", CultureInfo.InvariantCulture),
        [MinConcurrentKey] = Retries.MinConcurrent.ToString(CultureInfo.InvariantCulture),
        [BufferBytesKey] = Retries.BufferBytes.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The connect timeout a cluster's metadata carries (the forwarder's client reads it when YARP builds it).</summary>
    public static TimeSpan ConnectTimeout(IReadOnlyDictionary<string, string>? metadata) =>
        Read(metadata, ConnectTimeoutKey, ParseSpan, TimeoutsSpec.DefaultConnect) ?? TimeoutsSpec.DefaultConnect;

    private static string Span(TimeSpan? value) => value is { } v ? v.ToString("c", CultureInfo.InvariantCulture) : "";

    private static TimeSpan? ParseSpan(string text) => text.Length == 0 ? null : TimeSpan.ParseExact(text, "c", CultureInfo.InvariantCulture);

    private static ClusterSettings Parse(IReadOnlyDictionary<string, string>? metadata)
    {
        var t = TimeoutsSpec.Default;
        var timeouts = new TimeoutsSpec(
            Read(metadata, RequestTimeoutKey, ParseSpan, t.Request),
            Read(metadata, RequestTimeoutSetKey, bool.Parse, t.RequestSet),
            Read(metadata, BackendRequestTimeoutKey, ParseSpan, t.BackendRequest),
            Read(metadata, IdleTimeoutKey, ParseSpan, t.Idle) ?? t.Idle,
            Read(metadata, ConnectTimeoutKey, ParseSpan, t.Connect) ?? t.Connect);
        var o = OutlierSpec.Default;
        var outlier = new OutlierSpec(
            Read(metadata, OutlierConsecutive5xxKey, Int, o.Consecutive5xx),
            Read(metadata, OutlierConsecutiveGatewayFailuresKey, Int, o.ConsecutiveGatewayFailures),
            Read(metadata, OutlierBaseEjectionTimeKey, s => TimeSpan.ParseExact(s, "c", CultureInfo.InvariantCulture), o.BaseEjectionTime),
            Read(metadata, OutlierMaxEjectionPercentKey, Int, o.MaxEjectionPercent),
            Read(metadata, OutlierEnabledKey, bool.Parse, o.Enabled));
        var d = RetrySpec.Default;
        return new ClusterSettings(
            Read(metadata, SlowStartKey, s => TimeSpan.ParseExact(s, "c", CultureInfo.InvariantCulture), TimeSpan.Zero),
            new RetrySpec(
                Read(metadata, AttemptsKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.Attempts),
                Read(metadata, BudgetPercentKey, s => double.Parse(s, CultureInfo.InvariantCulture), d.BudgetPercent),
                Read(metadata, MinConcurrentKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.MinConcurrent),
                Read(metadata, BufferBytesKey, s => int.Parse(s, CultureInfo.InvariantCulture), d.BufferBytes)))
        {
            Timeouts = timeouts,
            Outlier = outlier,
        };
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    // Only the config provider writes these keys, from a validated spec: a value that does not parse is a bug, not user input.
    private static T Read<T>(IReadOnlyDictionary<string, string>? metadata, string key, Func<string, T> parse, T fallback) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? parse(value) : fallback;
}
