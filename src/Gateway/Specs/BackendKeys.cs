namespace Gateway.Specs;

/// <summary>The service keys of each backend kind: a key of one kind set on a service of another is refused, naming the kind that takes it.</summary>
internal static class BackendKeys
{
    public static readonly string[] Pods = ["Replicas", "Template", "Manifest", "ConfigFiles", "Strategy", "Job"];
    public static readonly string[] Cluster = ["Namespace", "Service", "Port", "ReadinessProbe"];
    public static readonly string[] Static = ["Addresses", "ReadinessProbe"];

    /// <summary>Every backend key once, in the order the supported fields are listed.</summary>
    public static readonly string[] All = [.. Pods, .. Cluster, "Addresses"];

    /// <summary>A Forbidden error for each key on <paramref name="service"/> that its <paramref name="kind"/> does not take.</summary>
    public static void RefuseOthers(SettingsSection service, BackendKind kind)
    {
        var own = kind switch
        {
            BackendKind.Kubernetes => Cluster,
            BackendKind.Static => Static,
            _ => Pods,
        };
        foreach (var key in All.Where(key => !own.Contains(key) && service.HasKey(key)))
        {
            var detail = (kind, key) switch
            {
                (_, "Job") => "a Job is pods the gateway runs to completion: only with Runtime \"Process\" or \"Docker\"",
                (BackendKind.Kubernetes, _) when Pods.Contains(key) => "a Kubernetes service's pods are the cluster's",
                (BackendKind.Kubernetes, _) => "a Kubernetes service's endpoints come from the cluster Service's EndpointSlices",
                (BackendKind.Static, _) when Pods.Contains(key) => "a Static service routes to its fixed Addresses and runs no pods",
                (BackendKind.Static, _) => "a Static service routes to its Addresses, not to a cluster Service",
                (_, "Addresses") => "only a service with Runtime \"Static\" lists fixed Addresses; remove Addresses or set Runtime to Static",
                (_, "ReadinessProbe") => "a service-level ReadinessProbe is for Runtime \"Kubernetes\" or \"Static\"; a pod's probes go in its containers (Template.spec.containers[].readinessProbe)",
                _ => $"only a service with Runtime \"Kubernetes\" names a cluster Service; remove {key} or set Runtime to Kubernetes",
            };
            service.Errors.Add(FieldError.Forbidden(service.PathOf(key), kind is BackendKind.Kubernetes or BackendKind.Static ? $"{detail}; remove {key}" : detail));
        }
    }
}
