using System.Threading.Channels;
using Gateway.Runtimes;

namespace Gateway.Pods;

/// <summary>
/// Owns one pod, as the kubelet's pod worker: feeds its events one at a time through
/// <see cref="PodLifecycle"/>, publishes each new state to the <see cref="PodRegistry"/>, and has the
/// actions carried out by a <see cref="ContainerStarter"/>, a <see cref="ContainerStopper"/> and a
/// <see cref="PodProbeManager"/>.
/// </summary>
/// <remarks>
/// Every field changes on the worker's single reader loop only. Other threads post events or read an
/// immutable value the loop swaps whole (<see cref="State"/>, the container instances); start and stop
/// tasks work on the values they were handed.
/// </remarks>
internal sealed partial class PodWorker
{
    private readonly PodWorkerContext _context;
    private readonly Channel<PodEvent> _inbox = Channel.CreateUnbounded<PodEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly ContainerStarter _starter;
    private readonly ContainerStopper _stopper;
    private readonly PodProbeManager _probes;
    private volatile PodState _state;
    private volatile ContainerInstances _instances = ContainerInstances.Empty;
    private ITimer? _wakeTimer;

    public PodWorker(PodState initial, PodWorkerContext context, string? configDirectory)
    {
        _state = initial;
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<PodWorker>();
        _starter = new ContainerStarter(context, configDirectory, Post, started => Post(new InstanceStarted(started)),
            (failed, evt) => Post(new InstanceFailedPostStart(failed, evt)));
        _stopper = new ContainerStopper(context, _logger);
        _probes = new PodProbeManager(context, () => _state, Post);
    }

    public PodState State => _state;

    /// <summary>Completes when the pod has terminated and left the registry.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts the worker; <paramref name="adopted"/> are running instances an earlier gateway left, which it takes over instead of starting new ones.</summary>
    public void Start(IReadOnlyList<AdoptedContainer> adopted)
    {
        ArgumentNullException.ThrowIfNull(adopted);
        _context.Registry.Set(_state);
        _ = Task.Run(RunAsync);
        foreach (var container in adopted)
        {
            Post(new InstanceAdopted(container));
        }

        Post(new PodEvent.Start());
    }

    public void Post(PodEvent evt) => _inbox.Writer.TryWrite(evt);

    /// <summary>The proxy could not connect to this pod: re-check its readiness now.</summary>
    public void RecheckReadiness() => Post(new RecheckRequested());

    /// <summary>The log of a container's current instance, or of its previous one; null when it has none.</summary>
    public ContainerLog? ReadLog(string container, bool previous) => _instances.ReadLog(container, previous);

    /// <summary>The current instance of each container that has one, by container name (a snapshot).</summary>
    public IReadOnlyDictionary<string, RunningContainer> Running => _instances.Current;

    private async Task RunAsync()
    {
        await foreach (var received in _inbox.Reader.ReadAllAsync())
        {
            try
            {
                if (!Handle(received))
                {
                    break;
                }
            }
            catch (Exception e)
            {
                Log.WorkerFailed(_logger, _state.Name, received.GetType().Name, e);
            }
        }

        await FinishAsync();
    }

    /// <summary>Handles one event; returns false once the pod is gone.</summary>
    private bool Handle(PodEvent received)
    {
        var evt = received;
        switch (received)
        {
            case RecheckRequested:
                _probes.RecheckReadiness();
                return true;
            case InstanceStarted { Container: var started }:
                Track(started);
                evt = new PodEvent.ContainerStarted(started.Name, started.Instance.Id);
                break;
            case InstanceFailedPostStart failed:
                // Tracked, so that its log stays readable (and becomes the previous one at the next start).
                Track(failed.Container);
                evt = failed.Event;
                break;
            case InstanceAdopted { Container: var adopted }:
                Track(_starter.Adopt(_state, adopted));
                evt = new PodEvent.ContainerAdopted(adopted.Name, adopted.Instance.Id, adopted.RestartCount, adopted.StartedAt);
                break;
        }

        var before = _state;
        var (after, actions) = PodLifecycle.Apply(before, evt, _context.Time.GetUtcNow());
        _state = after;
        if (evt is PodEvent.Terminated)
        {
            return false;
        }

        _context.Registry.Set(after);
        foreach (var action in actions)
        {
            Execute(action);
        }

        _probes.Reconcile(before, after, _instances);
        return true;
    }

    /// <summary>Makes <paramref name="running"/> its container's current instance; the one it replaces is disposed.</summary>
    private void Track(RunningContainer running)
    {
        _instances = _instances.With(running, out var replaced);
        if (replaced is not null)
        {
            _ = replaced.DisposeAsync().AsTask();
        }
    }

    private void Execute(PodAction action)
    {
        var pod = _state;
        switch (action)
        {
            case PodAction.StartContainer start:
                _starter.Start(pod, start.Container);
                break;
            case PodAction.KillContainer kill when _instances.Current.TryGetValue(kill.Container, out var running) && running.Instance.Id == kill.InstanceId:
                _ = _stopper.KillAsync(pod, running, kill.GracePeriod);
                break;
            case PodAction.TerminatePod terminate:
                _ = TerminateAsync(pod, terminate.GracePeriod, _starter.CancelAll());
                break;
            case PodAction.StopContainers stop:
                _ = _stopper.TerminateAsync(pod, stop.GracePeriod, [], () => _instances);
                break;
            case PodAction.RecordEvent record:
                _context.Events.Record(pod.Namespace, pod.Name, pod.Uid, record.Type, record.Reason, record.Message, record.FieldPath);
                break;
            case PodAction.WakeAt wake:
                _wakeTimer?.Dispose();
                var due = wake.At - _context.Time.GetUtcNow();
                _wakeTimer = _context.Time.CreateTimer(static s => ((PodWorker)s!).Post(new PodEvent.Wake()), this, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
                break;
        }
    }

    private async Task TerminateAsync(PodState pod, TimeSpan gracePeriod, IReadOnlyList<Task<RunningContainer?>> starts)
    {
        await _stopper.TerminateAsync(pod, gracePeriod, starts, () => _instances);
        Post(new PodEvent.Terminated());
    }

    private async Task FinishAsync()
    {
        _wakeTimer?.Dispose();
        await _probes.StopAllAsync();
        foreach (var running in _instances.Current.Values)
        {
            await running.Instance.DisposeAsync();
        }

        if (PodNetworks.IsPodIp(_state.PodIp))
        {
            _context.Networks.Release(_state.Uid, _state.PodIp);
            await ((_context.Runtimes.Find(_state.Runtime) as IPodNetworkRuntime)?.RemovePodNetworkAsync(_state.Uid) ?? Task.CompletedTask);
        }
        else
        {
            _context.Ports.Release(_state.Ports.Values.SelectMany(p => p).Select(p => p.HostPort));
        }

        (_context.Runtimes.Find(_state.Runtime) as IPodVolumesRuntime)?.RemovePodVolumes(_state.Uid);
        _context.Registry.Remove(_state.Name);
        ContainerStarter.RemoveMessageFiles(_context, _state.Name);
        _context.LogFiles?.RemovePod(_state.Namespace, _state.Name, _state.Uid);
        _completion.TrySetResult();
    }

    /// <summary>Asks the readiness workers to re-check (see <see cref="RecheckReadiness"/>).</summary>
    private sealed record RecheckRequested : PodEvent;

    /// <summary>The runtime started an instance but its postStart hook failed and it was killed.</summary>
    private sealed record InstanceFailedPostStart(RunningContainer Container, PodEvent.PostStartHookFailed Event) : PodEvent;

    /// <summary>An instance an earlier gateway left running, handed to this pod at its creation.</summary>
    private sealed record InstanceAdopted(AdoptedContainer Container) : PodEvent;

    /// <summary>The runtime started an instance; carries it into the worker loop.</summary>
    private sealed record InstanceStarted(RunningContainer Container) : PodEvent;

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "pod {Pod}: handling {Event} failed")]
        public static partial void WorkerFailed(ILogger logger, string pod, string @event, Exception exception);
    }
}
