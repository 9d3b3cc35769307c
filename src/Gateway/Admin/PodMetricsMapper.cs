using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Runtimes;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A pod's usage as the <c>metrics.k8s.io/v1beta1</c> <c>PodMetrics</c> metrics-server answers
/// with, in its formats: CPU in nanocores (<c>"1234567n"</c>), memory in KiB (<c>"20480Ki"</c>),
/// the window as a Go duration, <c>creationTimestamp</c> the time of the answer (the object is made
/// for it, not stored).
/// </summary>
internal static class PodMetricsMapper
{
    public const string ApiVersion = $"{ApiDiscovery.MetricsGroup}/v1beta1";

    /// <summary>The PodMetrics of <paramref name="pod"/> with the rates of its running containers, in the pod spec's order.</summary>
    public static JsonObject ToPodMetrics(V1Pod pod, IReadOnlyList<(string Container, UsageRate Rate)> containers, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(containers);
        var metadata = new JsonObject
        {
            ["name"] = pod.Metadata.Name,
            ["namespace"] = pod.Metadata.NamespaceProperty,
            ["creationTimestamp"] = Time(timestamp),
        };
        if (pod.Metadata.Labels is { Count: > 0 } labels)
        {
            metadata["labels"] = new JsonObject(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        var window = containers.Count == 0 ? TimeSpan.Zero : containers.Max(c => c.Rate.Window);
        return new JsonObject
        {
            ["kind"] = "PodMetrics",
            ["apiVersion"] = ApiVersion,
            ["metadata"] = metadata,
            ["timestamp"] = Time(timestamp),
            ["window"] = Duration(window),
            ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Container,
                ["usage"] = new JsonObject { ["cpu"] = Cpu(c.Rate.NanoCores), ["memory"] = Memory(c.Rate.MemoryBytes) },
            })]),
        };
    }

    public static JsonObject ToList(IEnumerable<JsonObject> items) => new()
    {
        ["kind"] = "PodMetricsList",
        ["apiVersion"] = ApiVersion,
        ["metadata"] = new JsonObject(),
        ["items"] = new JsonArray([.. items]),
    };

    /// <summary>CPU as a quantity of nanocores.</summary>
    public static string Cpu(long nanoCores) => nanoCores.ToString(CultureInfo.InvariantCulture) + "n";

    /// <summary>Memory as metrics-server's binary quantity: KiB when whole, else bytes.</summary>
    public static string Memory(long bytes) =>
        bytes % 1024 == 0 ? (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki" : bytes.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Go duration as <c>metav1.Duration</c> writes one, to the millisecond: <c>1.004s</c>, <c>15s</c>.</summary>
    public static string Duration(TimeSpan value) =>
        Math.Round(value.TotalSeconds, 3).ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
