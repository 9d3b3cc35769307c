using Gateway.Pods;

namespace Gateway.Telemetry;

/// <summary>
/// Wraps the drainer: one log line when a drain begins and one when it ends, and
/// <c>gateway.drain.duration</c>. A drain that lasted to its deadline ran out of grace.
/// </summary>
internal sealed partial class MeasuredDrainer(IPodDrainer inner, GatewayMetrics metrics, TimeProvider time, ILogger<MeasuredDrainer> logger) : IPodDrainer
{
    public async Task DrainAsync(PodState pod, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var started = time.GetTimestamp();
        Log.DrainStarted(logger, pod.Name, (deadline - time.GetUtcNow()).TotalSeconds);
        await inner.DrainAsync(pod, deadline, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        metrics.RecordDrain(pod.ServiceName, elapsed);
        if (time.GetUtcNow() < deadline)
        {
            Log.Drained(logger, pod.Name, elapsed.TotalSeconds);
        }
        else
        {
            Log.GraceRanOut(logger, pod.Name, elapsed.TotalSeconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "pod {Pod}: draining: out of rotation, waiting up to {GraceSeconds:0.###} s for in-flight requests")]
        public static partial void DrainStarted(ILogger logger, string pod, double graceSeconds);

        [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "pod {Pod}: drained in {Seconds:0.###} s")]
        public static partial void Drained(ILogger logger, string pod, double seconds);

        [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "pod {Pod}: grace period ran out after {Seconds:0.###} s with requests still in flight")]
        public static partial void GraceRanOut(ILogger logger, string pod, double seconds);
    }
}
