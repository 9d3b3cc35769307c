using Gateway.Admin;
using Gateway.Controllers;
using Gateway.Tests.Controllers;
using static Gateway.Tests.Controllers.Deployments;

namespace Gateway.Tests.Admin;

public sealed class DeploymentMapperTests
{
    private static DeploymentRecord Record(bool paused = false) =>
        new(paused ? new ServiceOverride("f", Paused: true) : null, RevisionHistory.Empty.Observe(Template("new"), T0), 3, 3, "", T0);

    /// <summary>
    /// Pods <c>hash:state</c> (see <see cref="Deployments.Pods"/>) of a Deployment of 2 replicas whose
    /// template is <c>new</c> (maxSurge and maxUnavailable 25%: 1 and 0): the status kubectl reads.
    /// </summary>
    [Theory]
    [InlineData("new:R+ new:R+", 2, 2, 2, "True/MinimumReplicasAvailable", "True/NewReplicaSetAvailable")]
    [InlineData("old:R+ old:R+", 2, 0, 2, "True/MinimumReplicasAvailable", "True/ReplicaSetUpdated")]
    [InlineData("old:R+ old:R+ new:R-", 3, 1, 2, "True/MinimumReplicasAvailable", "True/ReplicaSetUpdated")]
    [InlineData("old:R+x new:R+ new:R+", 2, 2, 2, "True/MinimumReplicasAvailable", "True/NewReplicaSetAvailable")]
    [InlineData("new:R+ new:P", 2, 2, 1, "False/MinimumReplicasUnavailable", "True/ReplicaSetUpdated")]
    [InlineData("new:R+ new:F", 1, 1, 1, "False/MinimumReplicasUnavailable", "True/ReplicaSetUpdated")]
    [InlineData("", 0, 0, 0, "False/MinimumReplicasUnavailable", "True/ReplicaSetUpdated")]
    public void Status_Pods_CountedAsTheDeploymentControllerDoes(string pods, int replicas, int updated, int available, string availableCondition, string progressing)
    {
        var backend = Service(replicas: 2, hash: "new").Pods!;

        var status = DeploymentMapper.Status("web", backend, Record(), Deployments.Pods(pods));

        Assert.Equal((replicas, updated, available, available), (status.Replicas, status.UpdatedReplicas, status.AvailableReplicas, status.ReadyReplicas));
        Assert.Equal(availableCondition, Condition(status, "Available"));
        Assert.Equal(progressing, Condition(status, "Progressing"));
        Assert.Equal(3, status.ObservedGeneration);
    }

    [Fact]
    public void Status_Paused_ProgressingUnknown()
    {
        var status = DeploymentMapper.Status("web", Service(hash: "new").Pods!, Record(paused: true), Deployments.Pods("new:R+ new:R+"));

        Assert.Equal("Unknown/DeploymentPaused", Condition(status, "Progressing"));
    }

    [Fact]
    public void ToV1Deployment_ShowsSpecSourceRevisionAndStrategy()
    {
        var service = Service(replicas: 2, hash: "new");

        var deployment = DeploymentMapper.ToV1Deployment(service, Record(), Deployments.Pods("new:R+"));

        Assert.Equal("file", deployment.Metadata.Annotations[DeploymentStore.SourceAnnotation]);
        Assert.Equal("1", deployment.Metadata.Annotations[DeploymentMapper.RevisionAnnotation]);
        Assert.Equal("web", deployment.Spec.Selector.MatchLabels["app"]);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal(2, deployment.Spec.Replicas);
    }

    [Fact]
    public void ReplicaSets_OnePerRevision_CurrentWantsTheReplicasAndOwnsItsPods()
    {
        var service = Service(replicas: 2, hash: "new");
        var record = new DeploymentRecord(null, RevisionHistory.Empty.Observe(Template("old"), T0).Observe(Template("new"), T0), 2, 2, "", T0);

        var sets = ReplicaSetMapper.ToV1ReplicaSets(service, record, Deployments.Pods("old:R+ new:R+ new:R-")).ToList();

        Assert.Equal(["web-new", "web-old"], sets.Select(r => r.Metadata.Name));
        Assert.Equal([2, 1], sets.Select(r => r.Spec.Replicas ?? -1));
        Assert.Equal([2, 1], sets.Select(r => r.Status.Replicas));
        Assert.Equal(["2", "1"], sets.Select(r => r.Metadata.Annotations[DeploymentMapper.RevisionAnnotation]));
        Assert.All(sets, r => Assert.Equal(DeploymentMapper.Uid("Deployment", "web"), r.Metadata.OwnerReferences.Single().Uid));
        Assert.Equal(sets[0].Metadata.Uid, ReplicaSetMapper.Owner("web", "new").Uid);
    }

    private static string Condition(k8s.Models.V1DeploymentStatus status, string type) =>
        status.Conditions.Single(c => c.Type == type) is var c ? $"{c.Status}/{c.Reason}" : "";
}
