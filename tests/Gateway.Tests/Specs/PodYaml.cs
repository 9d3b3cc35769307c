using k8s;
using k8s.Models;

namespace Gateway.Tests.Specs;

/// <summary>Builds pod specs from YAML so that test rows read like manifests.</summary>
internal static class PodYaml
{
    /// <summary>Parses the body of a pod's <c>spec:</c>, written without its indentation.</summary>
    public static V1PodSpec Spec(string specYaml)
    {
        var indented = string.Join('\n', specYaml.Split('\n').Select(line => "  " + line));
        return KubernetesYaml.Deserialize<V1Pod>("apiVersion: v1\nkind: Pod\nspec:\n" + indented).Spec;
    }
}
