using System.Collections.Immutable;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Pods;

/// <summary>
/// What the pieces of a pod worker share, made of fakes on a fake clock at <see cref="PodStates.T0"/>;
/// the events they post are kept, and so are the instances a <see cref="ContainerStarter"/> reports.
/// </summary>
internal sealed class PodHarness
{
    private readonly Lock _lock = new();
    private readonly List<PodEvent> _posted = [];
    private readonly List<RunningContainer> _started = [];
    private readonly ConditionSignal _changed = new();

    public PodHarness()
    {
        Runtime = new InMemoryRuntime(Time);
        Prober = new ScriptedProber(Time);
        Events = new EventRecorder(Time, NullLogger<EventRecorder>.Instance);
        Context = new PodWorkerContext(TestRuntimes.Everywhere(Runtime), Prober, Registry, Events, Drainer, new PortAllocator(), Time,
            GatewayStartedAt: T0.AddHours(-1), NullLoggerFactory.Instance);
    }

    public TrackingTimeProvider Time { get; } = new(T0);

    public InMemoryRuntime Runtime { get; }

    public ScriptedProber Prober { get; }

    public PodRegistry Registry { get; } = new();

    public RecordingDrainer Drainer { get; } = new();

    public EventRecorder Events { get; }

    public PodWorkerContext Context { get; }

    /// <summary>Every event posted so far, oldest first.</summary>
    public IReadOnlyList<PodEvent> Posted
    {
        get
        {
            lock (_lock)
            {
                return [.. _posted];
            }
        }
    }

    /// <summary>A pod of <paramref name="containers"/>, each given one port <c>http</c> (8080 on host port 31000 + its index).</summary>
    public static PodState Pod(params k8s.Models.V1Container[] containers) => Create("Always", containers) with
    {
        Ports = containers.Select((c, i) => (c.Name, Ports: ImmutableArray.Create(new PortMapping("http", 8080, 31000 + i))))
            .ToImmutableDictionary(p => p.Name, p => p.Ports, StringComparer.Ordinal),
    };

    public ContainerStarter Starter() => new(Context, "/config", Post, running =>
    {
        lock (_lock)
        {
            _started.Add(running);
        }

        _changed.Notify();
    }, (_, failed) => Post(failed));

    public void Post(PodEvent evt)
    {
        lock (_lock)
        {
            _posted.Add(evt);
        }

        _changed.Notify();
    }

    /// <summary>Completes once <paramref name="count"/> instances have been reported started; returns them all.</summary>
    public async Task<IReadOnlyList<RunningContainer>> WaitForStartedAsync(int count)
    {
        await _changed.WaitAsync(() => Started().Count >= count, $"{count} started instance(s)");
        return Started();
    }

    /// <summary>Completes once <paramref name="count"/> events of type <typeparamref name="T"/> have been posted; returns them all.</summary>
    public async Task<IReadOnlyList<T>> WaitForPostedAsync<T>(int count = 1)
        where T : PodEvent
    {
        await _changed.WaitAsync(() => Posted.OfType<T>().Count() >= count, $"{count} posted {typeof(T).Name}");
        return [.. Posted.OfType<T>()];
    }

    /// <summary>Deletes every pod <paramref name="pods"/> runs, drains released, and waits until each has gone.</summary>
    public async Task DeleteAllAsync(PodManager pods)
    {
        Drainer.Release();
        var workers = pods.Workers.ToList();
        foreach (var worker in workers)
        {
            worker.Post(new PodEvent.Delete("test over"));
        }

        await Task.WhenAll(workers.Select(w => w.Completion)).WaitAsync(ConditionSignal.SafetyNet);
    }

    /// <summary>Starts <paramref name="container"/> of <paramref name="pod"/> through a new <see cref="ContainerStarter"/> and returns its instance.</summary>
    public async Task<RunningContainer> StartAsync(PodState pod, string container)
    {
        var count = Started().Count;
        Starter().Start(pod, container);
        return (await WaitForStartedAsync(count + 1))[count];
    }

    private List<RunningContainer> Started()
    {
        lock (_lock)
        {
            return [.. _started];
        }
    }
}
