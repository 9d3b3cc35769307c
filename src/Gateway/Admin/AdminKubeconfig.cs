using k8s;
using k8s.KubeConfigModels;

namespace Gateway.Admin;

/// <summary>
/// A kubeconfig for the admin API with its token (cluster <c>gateway</c>, user <c>gateway-admin</c>,
/// context <c>gateway</c>, namespace <c>default</c>), so that <c>kubectl --kubeconfig FILE get pods</c>
/// just works.
/// </summary>
internal static class AdminKubeconfig
{
    public const string FileName = "gateway.kubeconfig";
    public const string ClusterName = "gateway";
    public const string UserName = "gateway-admin";
    public const string ContextName = "gateway";

    public static string Serialize(string server, string token) => KubernetesYaml.Serialize(new K8SConfiguration
    {
        ApiVersion = "v1",
        Kind = "Config",
        CurrentContext = ContextName,
        Clusters = [new Cluster { Name = ClusterName, ClusterEndpoint = new ClusterEndpoint { Server = server } }],
        Users = [new User { Name = UserName, UserCredentials = new UserCredentials { Token = token } }],
        Contexts = [new Context { Name = ContextName, ContextDetails = new ContextDetails { Cluster = ClusterName, User = UserName, Namespace = "default" } }],
    });

    /// <summary>
    /// The URL a client on this machine uses for the first of <paramref name="urls"/>: a wildcard
    /// host (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>) becomes the loopback address.
    /// </summary>
    public static string Server(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        var address = BindingAddress.Parse(first);
        var host = address.Host switch
        {
            "0.0.0.0" or "*" or "+" => "127.0.0.1",
            "[::]" => "[::1]",
            var h => h,
        };
        return $"{address.Scheme}://{host}:{address.Port}{address.PathBase}";
    }

    /// <summary>Replaces <paramref name="path"/> whole (a new 0600 file renamed over it), so no reader sees half of it.</summary>
    public static void Write(string path, string server, string token)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            AdminToken.WriteOwnerOnly(temporary, Serialize(server, token));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
