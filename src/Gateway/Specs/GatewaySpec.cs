namespace Gateway.Specs;

/// <summary>The whole validated configuration: listeners and services.</summary>
public sealed record GatewaySpec(string ProxyUrls, string AdminUrls, IReadOnlyList<ServiceSpec> Services)
{
    /// <summary><c>Gateway:Kubernetes:Kubeconfig</c>: the kubeconfig file for Kubernetes services; null for in-cluster, <c>KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; init; }
}
