using System.Text.Json.Nodes;
using Gateway.Admin;
using Gateway.Controllers;
using k8s;
using static Gateway.Tests.Controllers.Deployments;

namespace Gateway.Tests.Admin;

public sealed class DeploymentPatchTests
{
    private static readonly RevisionHistory History = RevisionHistory.Empty.Observe(Template("old", "v1"), T0).Observe(Template("new", "v2"), T0);

    private static JsonNode Before() => JsonNode.Parse(KubernetesJson.Serialize(
        DeploymentMapper.ToV1Deployment(Service(replicas: 2, hash: "new", command: "v2"), new DeploymentRecord(null, History, 2, 2, "", T0), [])))!;

    private static (DeploymentPatch.Desired? Desired, List<KubernetesStatus.Cause> Causes) Decide(string contentType, string patch)
    {
        var before = Before();
        var after = ObjectPatch.Apply(before, contentType, patch, out var error) ?? throw new InvalidOperationException(error);
        var causes = new List<KubernetesStatus.Cause>();
        return (DeploymentPatch.Decide(before, after, History, causes), causes);
    }

    [Theory]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"replicas":5}}""", 5, false)]
    [InlineData(ObjectPatch.StrategicMergePatch, """{"spec":{"paused":true}}""", 2, true)]
    [InlineData(ObjectPatch.StrategicMergePatch, """{"spec":{"paused":null}}""", 2, false)]
    [InlineData(ObjectPatch.JsonPatch, """[{"op":"replace","path":"/spec/replicas","value":0}]""", 0, false)]
    public void Decide_ReplicasAndPaused(string type, string patch, int replicas, bool paused)
    {
        var (desired, causes) = Decide(type, patch);

        Assert.Empty(causes);
        Assert.Equal((replicas, paused, "new"), (desired!.Replicas, desired.Paused, desired.Template.Hash));
    }

    /// <summary>What <c>kubectl rollout restart</c> sends: the same spec, a new annotation, a new hash.</summary>
    [Fact]
    public void Decide_RestartedAtAnnotation_NewTemplateOfTheSameSpec()
    {
        var (desired, causes) = Decide(ObjectPatch.StrategicMergePatch,
            """{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}""");

        Assert.Empty(causes);
        Assert.NotEqual("new", desired!.Template.Hash);
        Assert.Equal("new", desired.Template.SpecHash);
        Assert.Equal("2026-01-01T00:00:00Z", desired.Template.Annotations[PodTemplate.RestartedAtAnnotation]);
    }

    /// <summary>What <c>kubectl rollout undo</c> sends (a JSON patch with the ReplicaSet's template as Go writes it, and the annotations).</summary>
    [Fact]
    public void Decide_TemplateOfAnEarlierRevision_ThatRevision()
    {
        var (desired, causes) = Decide(ObjectPatch.JsonPatch, """
            [{"op":"replace","path":"/spec/template","value":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","command":["v1"],"resources":{}}]}}},
             {"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"2"}}]
            """);

        Assert.Empty(causes);
        Assert.Equal("old", desired!.Template.Hash);
    }

    [Theory]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"replicas":-1}}""", "spec.replicas", "Invalid value: -1: must be greater than or equal to 0")]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"replicas":"x"}}""", "spec.replicas", "Invalid value: \"x\": must be an integer greater than or equal to 0")]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"strategy":{"type":"Recreate"}}}""", "spec.strategy", "Forbidden: set by the gateway's settings file, not through the API")]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"minReadySeconds":5}}""", "spec.minReadySeconds", "Forbidden: set by the gateway's settings file, not through the API")]
    [InlineData(ObjectPatch.MergePatch, """{"metadata":{"labels":{"x":"y"}}}""", "metadata.labels", "Forbidden: set by the gateway's settings file, not through the API")]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"paused":"yes"}}""", "spec.paused", "Invalid value: \"yes\": must be true or false")]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"template":{"spec":{"containers":[{"name":"web","command":["v3"]}]}}}}""", "spec.template.spec", null)]
    [InlineData(ObjectPatch.MergePatch, """{"spec":{"template":{"metadata":{"labels":{"app":"other"}}}}}""", "spec.template.metadata.labels", null)]
    public void Decide_UnsupportedOrInvalid_CauseNamesTheField(string type, string patch, string field, string? message)
    {
        var (desired, causes) = Decide(type, patch);

        Assert.Null(desired);
        var cause = Assert.Single(causes);
        Assert.Equal(field, cause.Field);
        if (message is not null)
        {
            Assert.Equal(message, cause.Message);
        }
    }
}
