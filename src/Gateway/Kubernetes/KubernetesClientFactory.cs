using k8s;
using k8s.Exceptions;

namespace Gateway.Kubernetes;

/// <summary>
/// The cluster connection for Kubernetes services: a kubeconfig file when one is named, else the
/// in-cluster service account, else <c>KUBECONFIG</c> or <c>~/.kube/config</c>.
/// </summary>
internal static class KubernetesClientFactory
{
    /// <summary>Builds the client configuration; on a user's mistake returns null and says what to fix.</summary>
    public static KubernetesClientConfiguration? Configure(string? kubeconfig, out string? error)
    {
        error = null;
        try
        {
            if (kubeconfig is not null)
            {
                return File.Exists(kubeconfig)
                    ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)
                    : Fail($"Gateway:Kubernetes:Kubeconfig: Not found: \"{kubeconfig}\": no such file; a relative path is relative to the settings file's folder", out error);
            }

            if (KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }

            var path = Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment
                ? fromEnvironment.Split(Path.PathSeparator)[0]
                : KubernetesClientConfiguration.KubeConfigDefaultLocation;
            return File.Exists(path)
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
                : Fail($"a service has Runtime Kubernetes, but the gateway is not in a cluster and finds no kubeconfig at {path}; set Gateway:Kubernetes:Kubeconfig or KUBECONFIG", out error);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or YamlDotNet.Core.YamlException or UnauthorizedAccessException)
        {
            return Fail($"the Kubernetes client configuration cannot be used: {e.Message}", out error);
        }
    }

    private static KubernetesClientConfiguration? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
