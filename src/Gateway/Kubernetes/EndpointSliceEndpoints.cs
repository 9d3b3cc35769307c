using System.Globalization;
using k8s.Models;

namespace Gateway.Kubernetes;

/// <summary>Reads a Service's EndpointSlices into endpoints, with the conditions' API defaults.</summary>
public static class EndpointSliceEndpoints
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>
    /// The endpoints of <paramref name="slices"/> on <paramref name="port"/> (a port name, a port
    /// number, or null for each slice's first port). A nil <c>ready</c> means ready and a nil
    /// <c>serving</c> means the value of ready, as the EndpointSlice API says. An address listed by two
    /// slices (while the controller moves it) counts once, with its most available conditions.
    /// </summary>
    public static IReadOnlyList<ClusterEndpoint> From(IEnumerable<V1EndpointSlice> slices, string? port)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var byKey = new Dictionary<string, ClusterEndpoint>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (FindPort(slice, port) is not int number)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                var ready = endpoint.Conditions?.Ready ?? true;
                var serving = endpoint.Conditions?.Serving ?? ready;
                var terminating = endpoint.Conditions?.Terminating ?? false;
                foreach (var host in endpoint.Addresses ?? [])
                {
                    var key = $"{host}:{number.ToString(CultureInfo.InvariantCulture)}";
                    var next = new ClusterEndpoint(key, endpoint.TargetRef?.Name ?? host, host, number, ready, serving, terminating, HasPod: endpoint.TargetRef?.Name is not null);
                    if (!byKey.TryGetValue(key, out var seen) || Rank(next) > Rank(seen))
                    {
                        byKey[key] = next;
                    }
                }
            }
        }

        return [.. byKey.Values.OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    private static int Rank(ClusterEndpoint e) => e.Ready ? 2 : e.Serving ? 1 : 0;

    private static int? FindPort(V1EndpointSlice slice, string? port)
    {
        var ports = slice.Ports ?? [];
        if (port is null)
        {
            return ports.FirstOrDefault()?.Port;
        }

        var isNumber = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
        foreach (var candidate in ports)
        {
            if (isNumber ? candidate.Port == number : string.Equals(candidate.Name, port, StringComparison.Ordinal))
            {
                return candidate.Port;
            }
        }

        return null;
    }
}
