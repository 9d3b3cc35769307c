namespace Gateway.Specs;

/// <summary>
/// A service's outlier ejection, as Envoy's outlier detection has it: a pod that answers
/// <paramref name="Consecutive5xx"/> 5xx responses in a row, or fails <paramref name="ConsecutiveGatewayFailures"/>
/// times in a row at the gateway's level (no connection, a reset, a timeout), is taken out of
/// rotation for <paramref name="BaseEjectionTime"/> times the number of times it was ejected (up to
/// <see cref="MaxEjectionTime"/>), while no more than <paramref name="MaxEjectionPercent"/> of the
/// service's pods are ejected at once, and never the last ready one.
/// </summary>
/// <param name="Consecutive5xx">5xx answers in a row that eject a pod; 0 turns this trigger off.</param>
/// <param name="ConsecutiveGatewayFailures">Connect failures, resets and timeouts in a row that eject a pod; 0 turns this trigger off.</param>
/// <param name="BaseEjectionTime">The first ejection's length; each further one of the same pod is that much longer.</param>
/// <param name="MaxEjectionPercent">The largest share of the service's pods ejected at once.</param>
/// <param name="Enabled">False: no pod is ever ejected for its answers (a failed connection still takes it out until its readiness passes).</param>
public sealed record OutlierSpec(int Consecutive5xx, int ConsecutiveGatewayFailures, TimeSpan BaseEjectionTime, int MaxEjectionPercent, bool Enabled)
{
    public const int DefaultConsecutive5xx = 5;
    public const int DefaultConsecutiveGatewayFailures = 5;
    public const int DefaultMaxEjectionPercent = 50;
    public static readonly TimeSpan DefaultBaseEjectionTime = TimeSpan.FromSeconds(30);

    /// <summary>The longest an ejection lasts however often the pod was ejected (Envoy's <c>max_ejection_time</c> default), unless the base time is longer.</summary>
    public static readonly TimeSpan MaxEjectionTime = TimeSpan.FromSeconds(300);

    /// <summary>The largest base ejection time: an hour.</summary>
    public static readonly TimeSpan MaxBaseEjectionTime = TimeSpan.FromHours(1);

    /// <summary>The largest count of failures in a row a trigger may wait for.</summary>
    public const int MaxConsecutive = 1_000_000;

    /// <summary>The fields of <c>Outlier</c>.</summary>
    public static readonly string[] Keys = ["Consecutive5xx", "ConsecutiveGatewayFailures", "BaseEjectionTime", "MaxEjectionPercent", "Enabled"];

    public static readonly OutlierSpec Default = new(DefaultConsecutive5xx, DefaultConsecutiveGatewayFailures, DefaultBaseEjectionTime, DefaultMaxEjectionPercent, Enabled: true);
}
