using Gateway.Controllers;
using static Gateway.Tests.Controllers.Deployments;

namespace Gateway.Tests.Controllers;

public sealed class ServiceOverrideTests
{
    [Fact]
    public void Apply_NoOverride_FileEntryAsItIs()
    {
        var file = Service(replicas: 2);

        var (effective, holds) = ServiceOverride.Apply(file, null);

        Assert.Same(file, effective);
        Assert.False(holds);
    }

    [Theory]
    [InlineData(5, null, 5, "h1")]
    [InlineData(null, "h9", 2, "h9")]
    [InlineData(0, "h9", 0, "h9")]
    [InlineData(null, null, 2, "h1")]
    public void Apply_OverrideOnThisEntry_ReplicasAndTemplateFromTheApi(int? replicas, string? templateHash, int expectedReplicas, string expectedHash)
    {
        var file = Service(replicas: 2, hash: "h1");
        var change = new ServiceOverride(ServiceOverride.Fingerprint(file), replicas, templateHash is null ? null : Template(templateHash, "other"));

        var (effective, holds) = ServiceOverride.Apply(file, change);

        Assert.True(holds);
        Assert.Equal(expectedReplicas, effective.Pods!.Replicas);
        Assert.Equal(expectedHash, effective.Pods.TemplateHash);
    }

    /// <summary>The file is the desired state: an override made on another version of the entry is void.</summary>
    [Theory]
    [InlineData(3, "h1")]
    [InlineData(2, "h2")]
    public void Apply_EntryChangedSince_FileWins(int fileReplicas, string fileHash)
    {
        var change = new ServiceOverride(ServiceOverride.Fingerprint(Service(replicas: 2, hash: "h1")), Replicas: 5);
        var edited = Service(replicas: fileReplicas, hash: fileHash);

        var (effective, holds) = ServiceOverride.Apply(edited, change);

        Assert.False(holds);
        Assert.Same(edited, effective);
    }

    [Fact]
    public void Apply_BarePod_NeverOverridden()
    {
        var file = Service() is var s ? s with { Backend = s.Pods! with { PodName = "solo" } } : null!;

        Assert.False(ServiceOverride.Apply(file, new ServiceOverride(ServiceOverride.Fingerprint(file), Replicas: 3)).Holds);
    }

    [Fact]
    public void Template_Annotations_ChangeTheHashOnlyWhenPresent()
    {
        var plain = Template("h1");
        var restarted = plain with { Annotations = new Dictionary<string, string> { [PodTemplate.RestartedAtAnnotation] = "2026-01-01T00:00:00Z" } };
        var again = plain with { Annotations = new Dictionary<string, string> { [PodTemplate.RestartedAtAnnotation] = "2026-01-01T00:01:00Z" } };

        Assert.Equal("h1", plain.Hash);
        Assert.NotEqual("h1", restarted.Hash);
        Assert.NotEqual(restarted.Hash, again.Hash);
        Assert.Equal(restarted.Hash, (plain with { Annotations = restarted.Annotations }).Hash);
    }
}
