using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// The shipped cluster example, read with KubernetesClient's typed YAML (kubectl cannot check it
/// offline): the admin port takes its token from a Secret and other pods are kept off it.
/// </summary>
public sealed class ClusterExampleTests
{
    private static readonly List<object> Objects = KubernetesYaml.LoadAllFromString(
        File.ReadAllText(Path.Combine(RepoPaths.Root, "config", "examples", "kubernetes-gateway.yaml")));

    private static V1Deployment Deployment => Objects.OfType<V1Deployment>().Single();

    private static JsonNode Settings => JsonNode.Parse(Objects.OfType<V1ConfigMap>().Single().Data["appsettings.json"])!;

    [Fact]
    public void Example_AdminTokenFile_IsTheMountedSecret()
    {
        var tokenFile = (string)Settings["Gateway"]!["Admin"]!["TokenFile"]!;
        var pod = Deployment.Spec.Template.Spec;
        var mount = pod.Containers.Single().VolumeMounts.Single(m => tokenFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        var volume = pod.Volumes.Single(v => v.Name == mount.Name);

        Assert.Equal("gateway-admin-token", volume.Secret.SecretName);
        Assert.Equal(tokenFile, $"{mount.MountPath}/token");
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal(0x100, volume.Secret.DefaultMode);
    }

    [Fact]
    public void Example_NetworkPolicy_KeepsOtherPodsOffTheAdminPort()
    {
        var policy = Objects.OfType<V1NetworkPolicy>().Single();
        var container = Deployment.Spec.Template.Spec.Containers.Single();
        var admin = container.Ports.Single(p => p.Name == "admin");

        Assert.Equal(Deployment.Spec.Template.Metadata.Labels, policy.Spec.PodSelector.MatchLabels);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        Assert.Equal($"https://0.0.0.0:{admin.ContainerPort}", (string?)Settings["Gateway"]!["Admin"]!["Urls"]);
        Assert.All((V1Probe[])[container.ReadinessProbe, container.LivenessProbe], p => Assert.Equal(("admin", "HTTPS"), (p.HttpGet.Port.Value, p.HttpGet.Scheme)));

        // Open rules (no "from") name only the proxy port; the admin port only with a pod selector.
        Assert.All(policy.Spec.Ingress.Where(r => r.FromProperty is null), r => Assert.Equal(["proxy"], r.Ports.Select(p => p.Port.Value)));
        var adminRule = policy.Spec.Ingress.Single(r => r.Ports.Any(p => p.Port.Value == "admin"));
        Assert.Equal("true", adminRule.FromProperty.Single().PodSelector.MatchLabels["gateway-admin-client"]);
    }
}
