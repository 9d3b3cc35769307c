using Gateway.Admin;
using Gateway.Events;
using Gateway.Pods;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Admin;

public sealed class AdminResourcesTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void PodChanges_FollowTheRegistry_EachAtAHigherVersion_RemovedOnDelete()
    {
        var registry = new PodRegistry();
        var pod = Single("Always");
        registry.Set(pod);
        using var resources = new AdminResources(registry, Recorder(), _time);
        var first = resources.Pods.Current.Version;

        registry.Set(pod with { Phase = PodPhase.Running });
        var second = resources.Pods.Current;
        registry.Remove(pod.Name);

        Assert.True(second.Version > first);
        Assert.Equal(("Running", second.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (second.Items[pod.Name].Status.Phase, second.Items[pod.Name].Metadata.ResourceVersion));
        Assert.Empty(resources.Pods.Current.Items);
        Assert.True(resources.Pods.Current.Version > second.Version);
    }

    [Fact]
    public void PodChanged_SameStateTwice_OneChange()
    {
        var registry = new PodRegistry();
        using var resources = new AdminResources(registry, Recorder(), _time);
        var pod = Single("Always");

        registry.Set(pod);
        var version = resources.Pods.Current.Version;
        registry.Set(pod);

        Assert.Equal(version, resources.Pods.Current.Version);
    }

    [Fact]
    public void EventChanges_RecordedAndCountedAgain_ModifiedInPlaceAtAHigherVersion()
    {
        var recorder = Recorder();
        using var resources = new AdminResources(new PodRegistry(), recorder, _time);

        recorder.Record("default", "web-1", "uid-1", EventType.Warning, "Unhealthy", "boom");
        var first = resources.Events.Current;
        recorder.Record("default", "web-1", "uid-1", EventType.Warning, "Unhealthy", "boom");

        var e = Assert.Single(resources.Events.Current.Items.Values);
        Assert.Equal(2, e.Count);
        Assert.True(resources.Events.Current.Version > first.Version);
    }

    [Fact]
    public void EventRecorder_DropsTheOldestForRoom_EventDeleted()
    {
        var recorder = new EventRecorder(_time, NullLogger<EventRecorder>.Instance, capacity: 1);
        using var resources = new AdminResources(new PodRegistry(), recorder, _time);

        recorder.Record("default", "web-1", "uid-1", EventType.Normal, "Started", "a");
        recorder.Record("default", "web-1", "uid-1", EventType.Normal, "Started", "b");

        Assert.Equal("b", Assert.Single(resources.Events.Current.Items.Values).Message);
    }

    private EventRecorder Recorder() => new(_time, NullLogger<EventRecorder>.Instance);
}
