using Gateway.Controllers;
using Gateway.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Controllers.Deployments;

namespace Gateway.Tests.Controllers;

public sealed class DeploymentStoreTests
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly EventRecorder _events;
    private readonly DeploymentStore _store;

    public DeploymentStoreTests()
    {
        _events = new EventRecorder(_time, NullLogger<EventRecorder>.Instance);
        _store = new DeploymentStore(_events, _time);
    }

    [Fact]
    public void Change_Scale_LastsWhileTheFileEntryIsTheSame()
    {
        var file = Service(replicas: 2);
        _store.Observe([file]);

        var record = _store.Change(file, o => o with { Replicas = 5 }, "scaled");

        Assert.Equal(DeploymentStore.SourceApi, record.Source);
        Assert.Equal(5, _store.Observe([file]).Services[0].Pods!.Replicas);
        Assert.Equal(5, _store.Observe([Service(replicas: 2)]).Services[0].Pods!.Replicas);
    }

    /// <summary>The rule between the file and the API: an edit of the service's entry drops what the API changed, said by an event.</summary>
    [Fact]
    public void Observe_FileEntryEdited_FileWinsAndSaysSo()
    {
        var file = Service(replicas: 2);
        _store.Observe([file]);
        _store.Change(file, o => o with { Replicas = 5 }, "scaled");

        var (services, _) = _store.Observe([Service(replicas: 3)]);

        Assert.Equal(3, services[0].Pods!.Replicas);
        Assert.Equal(DeploymentStore.SourceFile, _store.Find("web")!.Source);
        Assert.Contains(_events.Snapshot, e => e.Reason == "SpecFromFile" && e.Kind == "Deployment" && e.PodName == "web");
    }

    [Fact]
    public void Generation_CountsSpecChanges_ObservedOnceTheControllerActed()
    {
        var file = Service(replicas: 2);
        var (_, first) = _store.Observe([file]);
        _store.MarkObserved(first);
        Assert.Equal((1, 1), Generations());

        _store.Change(file, o => o with { Template = Template("h2", "new") }, "restarted");
        Assert.Equal((2, 1), Generations());

        var (_, seen) = _store.Observe([file]);
        _store.MarkObserved(seen);
        Assert.Equal((2, 2), Generations());
        Assert.Equal(2, _store.Find("web")!.History.Current!.Number);

        _store.Observe([Service(replicas: 4)]);
        Assert.Equal(3, Generations().Generation);
    }

    [Fact]
    public void Change_BackToTheFilesValues_SourceIsTheFileAgain()
    {
        var file = Service(replicas: 2);
        _store.Observe([file]);
        _store.Change(file, o => o with { Paused = true }, "paused");

        var record = _store.Change(file, o => o with { Paused = false }, "resumed");

        Assert.Null(record.Override);
        Assert.Equal(DeploymentStore.SourceFile, record.Source);
    }

    [Fact]
    public void Observe_ServiceRemoved_RecordDropped()
    {
        _store.Observe([Service()]);

        _store.Observe([]);

        Assert.Null(_store.Find("web"));
    }

    private (long Generation, long Observed) Generations() => (_store.Find("web")!.Generation, _store.Find("web")!.ObservedGeneration);
}
