using System.Text.Json.Serialization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// What a gateway knows of one Process pod, kept in the state folder so that the next gateway can take
/// the pod over (see <see cref="ProcessAdoptionPlan"/>): its names, its template, its ports, and per
/// container the current instance's monitor and app processes, each with its start time from
/// <c>/proc</c> so that a pid reused by another process is never mistaken for them.
/// </summary>
internal sealed record PodRecord
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public required string Service { get; init; }

    public required string TemplateHash { get; init; }

    /// <summary>When the record was first written: the pods that served longest are the ones kept.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>The Process runtime's own folder of the gateway that started it (its containers' default working folders are there).</summary>
    public required string RuntimeDirectory { get; init; }

    /// <summary>The grace period its containers get when a gateway ends it.</summary>
    public long TerminationGracePeriodSeconds { get; init; } = 30;

    public IReadOnlyList<ContainerRecord> Containers { get; init; } = [];
}

/// <summary>One container's current instance: what the next gateway needs to watch, signal and read it.</summary>
internal sealed record ContainerRecord
{
    public required string Name { get; init; }

    public required string InstanceId { get; init; }

    public required int RestartCount { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The monitor (gateway-shim) that holds its output and records its exit.</summary>
    public required int MonitorPid { get; init; }

    public required string MonitorStartTime { get; init; }

    /// <summary>The container's main process, also its process group's id.</summary>
    public required int AppPid { get; init; }

    public required string AppStartTime { get; init; }

    /// <summary>The CRI log file the monitor writes (the current one; rotated ones are next to it).</summary>
    public required string LogFile { get; init; }

    /// <summary>Where the monitor writes the exit status.</summary>
    public required string ExitFile { get; init; }

    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PodRecord))]
internal sealed partial class PodRecordJson : JsonSerializerContext;
