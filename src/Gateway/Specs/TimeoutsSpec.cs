namespace Gateway.Specs;

/// <summary>
/// A service's timeouts, named and written as the Gateway API's <c>HTTPRouteTimeouts</c> (plus the
/// connection's two, as Envoy has them).
/// </summary>
/// <param name="Request">From the request's arrival to the end of its response, retries included;
/// null: none. Its 30 s default does not apply to WebSocket upgrades and Server-Sent Events
/// (<c>Accept: text/event-stream</c>), which are meant to last: only an explicit value bounds them.</param>
/// <param name="RequestSet">Whether <paramref name="Request"/> was written (then it bounds streams too).</param>
/// <param name="BackendRequest">Each attempt at a pod, from sending to the end of its response; null: only <paramref name="Request"/>.</param>
/// <param name="Idle">The longest wait for the next byte from the pod (YARP's activity timeout).</param>
/// <param name="Connect">The longest wait for a connection to the pod.</param>
public sealed record TimeoutsSpec(TimeSpan? Request, bool RequestSet, TimeSpan? BackendRequest, TimeSpan Idle, TimeSpan Connect)
{
    public static readonly TimeSpan DefaultRequest = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultIdle = TimeSpan.FromSeconds(100);
    public static readonly TimeSpan DefaultConnect = TimeSpan.FromSeconds(5);

    /// <summary>The longest any timeout may be: a day (timers beyond it serve nobody, and overflow nothing).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(1);

    /// <summary>The fields of <c>Timeouts</c>.</summary>
    public static readonly string[] Keys = ["Request", "BackendRequest", "Idle", "Connect"];

    public static readonly TimeoutsSpec Default = new(DefaultRequest, false, null, DefaultIdle, DefaultConnect);

    /// <summary>The request timeout that applies to a request: none for a long-lived one unless it was set.</summary>
    public TimeSpan? RequestFor(bool longLived) => longLived && !RequestSet ? null : Request;
}
