using System.Diagnostics.Metrics;

namespace Gateway.Telemetry;

/// <summary>The gateway's own instruments, on the <c>Gateway</c> meter.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    private readonly Counter<long> _retries;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _retries = meter.CreateCounter<long>("gateway.proxy.retries", unit: "{retry}", description: "Requests sent again to another pod after a connection failure or reset.");
    }

    public void RecordRetry(string service, string reason) =>
        _retries.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("reason", reason));
}
