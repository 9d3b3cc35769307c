using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// The API server's legacy discovery documents for what the admin API serves, so that kubectl
/// finds pods, pods/log, pods/exec, events and endpointslices on the gateway.
/// </summary>
internal static class ApiDiscovery
{
    public const string DiscoveryGroup = "discovery.k8s.io";

    public const string AppsGroup = "apps";

    /// <summary>metrics-server's group: <c>kubectl top</c> looks for it in <c>/apis</c>.</summary>
    public const string MetricsGroup = "metrics.k8s.io";

    public static V1APIVersions CoreVersions(string serverAddress) => new()
    {
        ApiVersion = "v1",
        Kind = "APIVersions",
        Versions = ["v1"],
        ServerAddressByClientCIDRs = [new V1ServerAddressByClientCIDR { ClientCIDR = "0.0.0.0/0", ServerAddress = serverAddress }],
    };

    public static V1APIResourceList CoreV1() => new()
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = "v1",
        Resources =
        [
            Resource("pods", "pod", "Pod", ["get", "list", "watch", "delete"], ["po"]),
            Resource("pods/log", "", "Pod", ["get"]),
            Resource("pods/status", "", "Pod", ["get", "patch"]),
            Resource("pods/exec", "", "PodExecOptions", ["create", "get"]),
            Resource("events", "event", "Event", ["get", "list", "watch"], ["ev"]),
        ],
    };

    public static V1APIGroupList Groups()
    {
        var v1 = new V1GroupVersionForDiscovery { GroupVersion = $"{DiscoveryGroup}/v1", Version = "v1" };
        var apps = new V1GroupVersionForDiscovery { GroupVersion = $"{AppsGroup}/v1", Version = "v1" };
        var metrics = new V1GroupVersionForDiscovery { GroupVersion = $"{MetricsGroup}/v1beta1", Version = "v1beta1" };
        var batch = new V1GroupVersionForDiscovery { GroupVersion = $"{JobApi.Group}/v1", Version = "v1" };
        return new V1APIGroupList
        {
            ApiVersion = "v1",
            Kind = "APIGroupList",
            Groups = [new V1APIGroup { Name = AppsGroup, Versions = [apps], PreferredVersion = apps }, new V1APIGroup { Name = DiscoveryGroup, Versions = [v1], PreferredVersion = v1 },
                new V1APIGroup { Name = MetricsGroup, Versions = [metrics], PreferredVersion = metrics }, new V1APIGroup { Name = JobApi.Group, Versions = [batch], PreferredVersion = batch }],
        };
    }

    public static V1APIResourceList DiscoveryV1() => new()
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = $"{DiscoveryGroup}/v1",
        Resources = [Resource("endpointslices", "endpointslice", "EndpointSlice", ["get", "list"])],
    };

    /// <summary>Deployments (with their scale subresource) and ReplicaSets.</summary>
    public static V1APIResourceList AppsV1() => new()
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = $"{AppsGroup}/v1",
        Resources =
        [
            Resource("deployments", "deployment", "Deployment", ["get", "list", "patch", "watch"], ["deploy"]),
            new V1APIResource { Name = "deployments/scale", SingularName = "", Namespaced = true, Group = "autoscaling", Version = "v1", Kind = "Scale", Verbs = ["get", "patch", "update"] },
            Resource("replicasets", "replicaset", "ReplicaSet", ["get", "list"], ["rs"]),
        ],
    };

    /// <summary>Jobs: the run-to-completion services, read-only.</summary>
    public static V1APIResourceList BatchV1() => new()
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = $"{JobApi.Group}/v1",
        Resources = [Resource("jobs", "job", "Job", ["get", "list", "watch"])],
    };

    /// <summary>PodMetrics, read-only as metrics-server serves them.</summary>
    public static V1APIResourceList MetricsV1Beta1() => new()
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = $"{MetricsGroup}/v1beta1",
        Resources = [Resource("pods", "", "PodMetrics", ["get", "list"])],
    };

    private static V1APIResource Resource(string name, string singular, string kind, List<string> verbs, List<string>? shortNames = null) => new()
    {
        Name = name,
        SingularName = singular,
        Namespaced = true,
        Kind = kind,
        Verbs = verbs,
        ShortNames = shortNames,
    };
}
