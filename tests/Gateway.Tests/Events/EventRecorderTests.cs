using Gateway.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Events;

public sealed class EventRecorderTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void Record_Repeat_AggregatedWithCountAndFirstAndLastTimestamps()
    {
        var recorder = Recorder();

        Record(recorder, "Unhealthy", "Liveness probe failed: boom");
        _time.Advance(TimeSpan.FromSeconds(10));
        Record(recorder, "Unhealthy", "Liveness probe failed: boom");
        _time.Advance(TimeSpan.FromSeconds(10));
        Record(recorder, "Unhealthy", "Liveness probe failed: boom");

        var e = Assert.Single(recorder.Snapshot);
        Assert.Equal((3, T0, T0.AddSeconds(20)), (e.Count, e.FirstTimestamp, e.LastTimestamp));
        Assert.Equal(("default", "web-1", "uid-1", "Warning", "spec.containers{app}"), (e.Namespace, e.PodName, e.PodUid, e.Type, e.FieldPath));
    }

    [Fact]
    public void Record_Repeat_MovesTheEventToTheEnd()
    {
        var recorder = Recorder();

        Record(recorder, "Unhealthy", "a");
        Record(recorder, "Unhealthy", "b");
        Record(recorder, "Unhealthy", "a");

        Assert.Equal(["b", "a"], recorder.Snapshot.Select(e => e.Message));
    }

    [Theory]
    [InlineData("web-2", "Warning", "Unhealthy", "boom")]
    [InlineData("web-1", "Normal", "Unhealthy", "boom")]
    [InlineData("web-1", "Warning", "BackOff", "boom")]
    [InlineData("web-1", "Warning", "Unhealthy", "boom!")]
    public void Record_AnyPartDiffers_SeparateEvents(string pod, string type, string reason, string message)
    {
        var recorder = Recorder();

        recorder.Record("default", "web-1", "uid-1", "Warning", "Unhealthy", "boom");
        recorder.Record("default", pod, "uid-1", type, reason, message);

        Assert.Equal([1, 1], recorder.Snapshot.Select(e => e.Count));
    }

    [Fact]
    public void Record_OverCapacity_EvictsTheOldest()
    {
        var recorder = Recorder(capacity: 2);

        Record(recorder, "Unhealthy", "a");
        Record(recorder, "Unhealthy", "b");
        Record(recorder, "Unhealthy", "a");
        Record(recorder, "Unhealthy", "c");
        Record(recorder, "Unhealthy", "b");

        Assert.Equal(["c", "b"], recorder.Snapshot.Select(e => e.Message));
        Assert.Equal([1, 1], recorder.Snapshot.Select(e => e.Count));
    }

    [Fact]
    public void Record_ManyAtTheSameInstant_NamesStayUnique()
    {
        var recorder = Recorder(capacity: 2);

        foreach (var message in new[] { "a", "b", "c", "d", "e" })
        {
            Record(recorder, "Started", message);
        }

        Assert.Equal(["d", "e"], recorder.Snapshot.Select(e => e.Message));
        Assert.Equal(2, recorder.Snapshot.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void Record_LongMessage_CutTo1024Characters()
    {
        var recorder = Recorder();

        Record(recorder, "Unhealthy", new string('x', 5000));
        Record(recorder, "Unhealthy", new string('x', 2000));

        var e = Assert.Single(recorder.Snapshot);
        Assert.Equal((1024, 2), (e.Message.Length, e.Count));
    }

    private EventRecorder Recorder(int capacity = 1000) => new(_time, NullLogger<EventRecorder>.Instance, capacity);

    private static void Record(EventRecorder recorder, string reason, string message) =>
        recorder.Record("default", "web-1", "uid-1", "Warning", reason, message, "spec.containers{app}");
}
