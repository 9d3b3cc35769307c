using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Admin;

/// <summary>
/// A kubeconfig for the admin API with its token (cluster <c>gateway</c>, user <c>gateway-admin</c>,
/// context <c>gateway</c>, namespace <c>default</c>), so that <c>kubectl --kubeconfig FILE get pods</c>
/// just works.
/// </summary>
internal static partial class AdminKubeconfig
{
    public const string FileName = "gateway.kubeconfig";
    public const string ClusterName = "gateway";
    public const string UserName = "gateway-admin";
    public const string ContextName = "gateway";

    /// <param name="certificate">The admin listener's own certificate, trusted as the cluster's certificate authority (https only).</param>
    /// <remarks>
    /// Written as text, not with <c>KubernetesYaml</c>: its first use builds YamlDotNet's serializer
    /// for KubernetesClient's model types, about 30 MB of memory in a process of its own and a good part
    /// of the gateway's fixed cost, for one small file (bench/README.md, probing).
    /// </remarks>
    public static string Serialize(string server, string token, X509Certificate2? certificate = null)
    {
        var text = new StringBuilder()
            .Append("apiVersion: v1\n")
            .Append("kind: Config\n")
            .Append("current-context: ").Append(ContextName).Append('\n')
            .Append("clusters:\n")
            .Append("- name: ").Append(ClusterName).Append('\n')
            .Append("  cluster:\n")
            .Append("    server: ").Append(Quoted(server)).Append('\n');
        if (certificate is not null)
        {
            text.Append("    certificate-authority-data: ").Append(Quoted(Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem())))).Append('\n');
        }

        return text
            .Append("users:\n")
            .Append("- name: ").Append(UserName).Append('\n')
            .Append("  user:\n")
            .Append("    token: ").Append(Quoted(token)).Append('\n')
            .Append("contexts:\n")
            .Append("- name: ").Append(ContextName).Append('\n')
            .Append("  context:\n")
            .Append("    cluster: ").Append(ClusterName).Append('\n')
            .Append("    user: ").Append(UserName).Append('\n')
            .Append("    namespace: default\n")
            .ToString();
    }

    /// <summary>
    /// <paramref name="value"/> as a YAML scalar: plain where it can only be read as that string (a
    /// URL, a base64 token), else a JSON string, which YAML reads as its double-quoted form.
    /// </summary>
    internal static string Quoted(string value) =>
        PlainSafe().IsMatch(value) && !NotAString().IsMatch(value) ? value : JsonSerializer.Serialize(value);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._~/\-\[\]@+=%:]*(?<!:)$")]
    private static partial Regex PlainSafe();

    // What YAML 1.1 or 1.2 would read as a number, a date, a boolean or null.
    [GeneratedRegex(@"^([-+]?[0-9][0-9_.:eExXoObB+-]*|[0-9]{4}-[0-9]{2}-[0-9]{2}.*|(?i:y|n|yes|no|true|false|on|off|null))$")]
    private static partial Regex NotAString();

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
