using Gateway.Runtimes.Docker;

namespace Gateway.Tests.Runtimes.Docker;

public sealed class ImagePullDecisionTests
{
    [Theory]
    [InlineData("Always", true, "Pull")]
    [InlineData("Always", false, "Pull")]
    [InlineData("IfNotPresent", true, "UseLocal")]
    [InlineData("IfNotPresent", false, "Pull")]
    [InlineData("Never", true, "UseLocal")]
    [InlineData("Never", false, "NeverPullMissing")]
    [InlineData(null, false, "Pull")]
    public void Decide_FollowsImagePullPolicy(string? policy, bool present, string expected) =>
        Assert.Equal(expected, ImagePullDecision.Decide(policy, present).ToString());

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void UseLocalAfterFailedPull_OnlyWhenTheImageIsOnTheMachine(bool present, bool expected) =>
        Assert.Equal(expected, ImagePullDecision.UseLocalAfterFailedPull(present));

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1.36", "busybox:1.36")]
    [InlineData("registry:5000/team/app", "registry:5000/team/app:latest")]
    [InlineData("registry:5000/team/app:2", "registry:5000/team/app:2")]
    [InlineData("app@sha256:abc", "app@sha256:abc")]
    public void WithDefaultTag_AddsLatestOnlyWithoutTagOrDigest(string image, string expected) =>
        Assert.Equal(expected, ImagePullDecision.WithDefaultTag(image));
}
