using System.Security.Cryptography.X509Certificates;
using System.Text;
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

    /// <param name="certificate">The admin listener's own certificate, trusted as the cluster's certificate authority (https only).</param>
    public static string Serialize(string server, string token, X509Certificate2? certificate = null) => KubernetesYaml.Serialize(new K8SConfiguration
    {
        ApiVersion = "v1",
        Kind = "Config",
        CurrentContext = ContextName,
        Clusters =
        [
            new Cluster
            {
                Name = ClusterName,
                ClusterEndpoint = new ClusterEndpoint
                {
                    Server = server,
                    CertificateAuthorityData = certificate is null ? null : Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem())),
                },
            },
        ],
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

    /// <summary>Replaces <paramref name="path"/> whole, mode 0600.</summary>
    public static void Write(string path, string server, string token, X509Certificate2? certificate = null) =>
        AdminFiles.Replace(path, Serialize(server, token, certificate));
}
