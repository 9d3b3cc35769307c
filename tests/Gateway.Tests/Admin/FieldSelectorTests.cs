using Gateway.Admin;
using k8s.Models;

namespace Gateway.Tests.Admin;

public sealed class FieldSelectorTests
{
    private static readonly V1Pod Pod = new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default" },
        Spec = new V1PodSpec { NodeName = "gateway", Containers = [] },
        Status = new V1PodStatus { Phase = "Running", PodIP = "127.0.0.1" },
    };

    private static readonly Corev1Event Event = new()
    {
        Metadata = new V1ObjectMeta { Name = "web-1.1", NamespaceProperty = "default" },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "default", Uid = "u1" },
        Reason = "Started",
        Type = "Normal",
        Source = new V1EventSource { Component = "gateway" },
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("status.phase=Running", true)]
    [InlineData("status.phase==Running", true)]
    [InlineData("status.phase=Pending", false)]
    [InlineData("status.phase!=Pending", true)]
    [InlineData("metadata.name=web-1", true)]
    [InlineData("metadata.name=web-1,spec.nodeName=gateway", true)]
    [InlineData("metadata.name=web-1,spec.nodeName=other", false)]
    [InlineData("spec.restartPolicy=Always", true)]
    [InlineData("status.nominatedNodeName=", true)]
    [InlineData("metadata.namespace=default", true)]
    public void Matches_Pod(string selector, bool matches) =>
        Assert.Equal(matches, FieldSelector.Parse(selector, ResourceFields.Pod, out _)!.Matches(f => ResourceFields.Of(Pod, f)));

    [Theory]
    [InlineData("involvedObject.name=web-1", true)]
    [InlineData("involvedObject.name=web-1,involvedObject.kind=Pod", true)]
    [InlineData("involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u1", true)]
    [InlineData("involvedObject.name=web-2", false)]
    [InlineData("involvedObject.kind=ReplicaSet", false)]
    [InlineData("type=Warning", false)]
    [InlineData("reason=Started,source=gateway", true)]
    public void Matches_Event(string selector, bool matches) =>
        Assert.Equal(matches, FieldSelector.Parse(selector, ResourceFields.Event, out _)!.Matches(f => ResourceFields.Of(Event, f)));

    [Theory]
    [InlineData("foo=bar", "field label not supported: foo")]
    [InlineData("status.phase=Running,spec.containers=x", "field label not supported: spec.containers")]
    [InlineData("involvedObject.name=x", "field label not supported: involvedObject.name")]
    [InlineData("status.phase", "invalid selector: 'status.phase'; can't understand 'status.phase'")]
    public void Parse_UnsupportedOrMalformed_TheApiServersMessage(string selector, string message)
    {
        Assert.Null(FieldSelector.Parse(selector, ResourceFields.Pod, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Parse_EscapedComma_PartOfTheValue() =>
        Assert.True(FieldSelector.Parse(@"reason=a\,b", ResourceFields.Event, out _)!.Matches(_ => "a,b"));
}
