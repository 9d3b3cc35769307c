namespace Gateway.Tests.Telemetry;

/// <summary>
/// The test classes that make <c>Gateway</c> meters run one at a time: an OpenTelemetry meter provider
/// (as <see cref="GatewayMetricsTests"/> uses) listens to every meter of that name in the process, so
/// another class's probe or request measurements, made in parallel, would land in its collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GatewayMeterCollection
{
    public const string Name = "Gateway meter";
}
