using Gateway.Events;
using Gateway.Probes;
using Gateway.Runtimes;

namespace Gateway.Pods;

/// <summary>What every pod worker shares: the runtime, the prober, the registry, the clock.</summary>
internal sealed record PodWorkerContext(
    ContainerRuntimes Runtimes,
    IProber Prober,
    PodRegistry Registry,
    EventRecorder Events,
    IPodDrainer Drainer,
    PortAllocator Ports,
    TimeProvider Time,
    DateTimeOffset GatewayStartedAt,
    ILoggerFactory LoggerFactory)
{
    /// <summary>Spans, durations and last results of probe runs; none in tests that do not look.</summary>
    public IProbeObserver? ProbeObserver { get; init; }

    /// <summary>
    /// Where the Process runtime's instances get their termination-message files (one per instance,
    /// see <see cref="TerminationMessage.FileOf"/>); none, no files.
    /// </summary>
    public string? TerminationMessageDirectory { get; init; }

    /// <summary>The pods' network namespaces and IPs (<c>Gateway:PodNetwork</c>); host mode when not given.</summary>
    public PodNetworks Networks { get; init; } = new(Specs.PodNetworkMode.Host);

    /// <summary>Where the instances' logs are written (and a deleted pod's are removed); none, in memory only.</summary>
    public ContainerLogFiles? LogFiles { get; init; }
}
