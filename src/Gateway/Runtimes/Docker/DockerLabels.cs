using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// The labels the gateway puts on its containers: enough to find them again after a gateway restart and
/// to tell whether they still match the spec.
/// </summary>
internal static class DockerLabels
{
    /// <summary>Present on every container the gateway creates; the filter for finding them.</summary>
    public const string Managed = "io.gateway.managed";
    public const string Service = "io.gateway.service";
    public const string Namespace = "io.gateway.pod-namespace";
    public const string Pod = "io.gateway.pod";
    public const string PodUid = "io.gateway.pod-uid";
    public const string Container = "io.gateway.container";
    public const string TemplateHash = "io.gateway.pod-template-hash";
    public const string RestartCount = "io.gateway.restart-count";

    /// <summary>The container's host ports, as JSON: an adopted pod must keep them, its processes listen there.</summary>
    public const string Ports = "io.gateway.ports";

    public static Dictionary<string, string> For(ContainerLaunch launch) => new(StringComparer.Ordinal)
    {
        [Managed] = "true",
        [Service] = launch.ServiceName,
        [Namespace] = launch.Namespace,
        [Pod] = launch.PodName,
        [PodUid] = launch.PodUid,
        [Container] = launch.Container.Name,
        [TemplateHash] = launch.TemplateHash,
        [RestartCount] = launch.RestartCount.ToString(CultureInfo.InvariantCulture),
        [Ports] = JsonSerializer.Serialize(launch.Ports),
    };

    /// <summary>Reads a container's labels back; null when they are not the gateway's or are damaged.</summary>
    public static LabelledContainer? Parse(string id, bool running, DateTimeOffset created, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || !labels.TryGetValue(Service, out var service) || !labels.TryGetValue(Pod, out var pod)
            || !labels.TryGetValue(PodUid, out var uid) || !labels.TryGetValue(Container, out var container)
            || !labels.TryGetValue(TemplateHash, out var hash)
            || !int.TryParse(labels.GetValueOrDefault(RestartCount), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts))
        {
            return null;
        }

        ImmutableArray<PortMapping> ports;
        try
        {
            ports = [.. JsonSerializer.Deserialize<PortMapping[]>(labels.GetValueOrDefault(Ports) ?? "[]") ?? []];
        }
        catch (JsonException)
        {
            return null;
        }

        return new LabelledContainer(id, service, pod, uid, container, hash, restarts, running, created, ports);
    }
}

/// <summary>A container found on the engine with the gateway's labels.</summary>
internal sealed record LabelledContainer(
    string Id,
    string Service,
    string Pod,
    string PodUid,
    string Container,
    string TemplateHash,
    int RestartCount,
    bool Running,
    DateTimeOffset Created,
    ImmutableArray<PortMapping> Ports);
