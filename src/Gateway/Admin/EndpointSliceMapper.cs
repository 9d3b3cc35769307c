using System.Globalization;
using k8s.Models;
using Endpoint = Gateway.Routing.Endpoint;

namespace Gateway.Admin;

/// <summary>
/// Shows the endpoints routing sees as EndpointSlices: one slice per service and port, as the
/// EndpointSlice controller groups them (the gateway's own pods each have a port of their own).
/// </summary>
internal static class EndpointSliceMapper
{
    public const string ManagedBy = "gateway";

    public static List<V1EndpointSlice> ToSlices(IEnumerable<Endpoint> endpoints, string ns, DateTimeOffset created)
    {
        var slices = new List<V1EndpointSlice>();
        foreach (var group in endpoints
            .Select(e => (Endpoint: e, Uri: new Uri(e.Address)))
            .GroupBy(e => (e.Endpoint.Service, e.Uri.Port))
            .OrderBy(g => g.Key.Service, StringComparer.Ordinal).ThenBy(g => g.Key.Port))
        {
            var (service, port) = group.Key;
            slices.Add(new V1EndpointSlice
            {
                ApiVersion = "discovery.k8s.io/v1",
                Kind = "EndpointSlice",
                Metadata = new V1ObjectMeta
                {
                    Name = $"{service}-{port.ToString(CultureInfo.InvariantCulture)}",
                    NamespaceProperty = ns,
                    CreationTimestamp = created.UtcDateTime,
                    Labels = new Dictionary<string, string>
                    {
                        ["kubernetes.io/service-name"] = service,
                        ["endpointslice.kubernetes.io/managed-by"] = ManagedBy,
                    },
                },
                AddressType = group.First().Uri.HostNameType == UriHostNameType.IPv6 ? "IPv6" : "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port, Protocol = "TCP" }],
                Endpoints = [.. group.OrderBy(e => e.Endpoint.PodName, StringComparer.Ordinal).Select(e => new V1Endpoint
                {
                    Addresses = [e.Uri.IdnHost.Trim('[', ']')],
                    Conditions = new V1EndpointConditions { Ready = e.Endpoint.Ready, Serving = e.Endpoint.Serving, Terminating = e.Endpoint.Terminating },
                    TargetRef = e.Endpoint.HasPod ? new V1ObjectReference { Kind = "Pod", Name = e.Endpoint.PodName, NamespaceProperty = ns } : null,
                    NodeName = PodMapper.NodeName,
                })],
            });
        }

        return slices;
    }
}
