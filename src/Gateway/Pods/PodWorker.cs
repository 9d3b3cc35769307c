using Gateway.Events;
using System.Threading.Channels;
using Gateway.Probes;
using Gateway.Runtimes;
using k8s.Models;
using Gateway.Specs;

namespace Gateway.Pods;

/// <summary>
/// Owns one pod: feeds its events one at a time through <see cref="PodLifecycle"/>, publishes each
/// new state to the <see cref="PodRegistry"/>, carries out the actions through the runtime, and keeps
/// one <see cref="ProbeWorker"/> per running container instance and probe kind. All state changes
/// happen on the worker's single reader loop; other threads only post events.
/// </summary>
// The deletion's token source has no timer and lives as long as the worker: a start answering late may still read it.
#pragma warning disable CA1001
internal sealed partial class PodWorker
#pragma warning restore CA1001
{
    private readonly PodWorkerContext _context;
    private readonly string? _configDirectory;
    private readonly Channel<PodEvent> _inbox = Channel.CreateUnbounded<PodEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, IContainerInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _previousLogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _environments = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Container, ProbeKind Kind), ProbeWorker> _probes = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private volatile PodState _state;
    private readonly CancellationTokenSource _deleted = new();
    private readonly List<(string Container, Task<IContainerInstance?> Start)> _starts = [];
    private ITimer? _wakeTimer;

    public PodWorker(PodState initial, PodWorkerContext context, string? configDirectory)
    {
        _state = initial;
        _context = context;
        _configDirectory = configDirectory;
        _logger = context.LoggerFactory.CreateLogger<PodWorker>();
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

    /// <summary>The log of a container's current instance, or of its previous one.</summary>
    public string? ReadLog(string container, bool previous)
    {
        lock (_previousLogs)
        {
            if (previous)
            {
                return _previousLogs.GetValueOrDefault(container);
            }

            return _instances.TryGetValue(container, out var instance) ? instance.ReadLog() : _previousLogs.GetValueOrDefault(container);
        }
    }

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
        if (received is InstanceStarted started)
        {
            Track(started.Container, started.Instance);
            evt = new PodEvent.ContainerStarted(started.Container, started.Instance.Id);
        }

        if (received is InstanceAdopted { Container: var adopted })
        {
            Track(adopted.Name, adopted.Instance);
            _environments[adopted.Name] = EnvironmentOf(_state, adopted.Name);
            _ = WatchAsync(adopted.Name, adopted.Instance);
            evt = new PodEvent.ContainerAdopted(adopted.Name, adopted.Instance.Id, adopted.RestartCount, adopted.StartedAt);
        }

        if (received is RecheckRequested)
        {
            foreach (var ((_, kind), worker) in _probes)
            {
                if (kind == ProbeKind.Readiness)
                {
                    worker.Recheck();
                }
            }

            return true;
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

        ReconcileProbes(before, after);
        return true;
    }

    /// <summary>Makes <paramref name="instance"/> the container's current one; the previous instance's log is kept for <c>previous=true</c>.</summary>
    private void Track(string container, IContainerInstance instance)
    {
        IContainerInstance? old;
        lock (_previousLogs)
        {
            if (_instances.Remove(container, out old))
            {
                _previousLogs[container] = old.ReadLog();
            }

            _instances[container] = instance;
        }

        if (old is not null)
        {
            _ = old.DisposeAsync().AsTask();
        }
    }

    private Dictionary<string, string> EnvironmentOf(PodState pod, string name)
    {
        var ports = pod.Ports.TryGetValue(name, out var p) ? (IReadOnlyList<PortMapping>)p : [];
        return ContainerLaunchBuilder.Environment(pod, pod.FindSpec(name)!, ports, _configDirectory);
    }

    private void Execute(PodAction action)
    {
        var pod = _state;
        switch (action)
        {
            case PodAction.StartContainer start:
                StartContainer(pod, start.Container);
                break;
            case PodAction.KillContainer kill:
                if (_instances.TryGetValue(kill.Container, out var instance) && instance.Id == kill.InstanceId)
                {
                    _ = KillAsync(pod, kill.Container, instance, kill.GracePeriod);
                }

                break;
            case PodAction.TerminatePod terminate:
                _deleted.Cancel();
                _ = TerminateAsync(pod, terminate.GracePeriod);
                break;
            case PodAction.RecordEvent record:
                _context.Events.Record(pod.Namespace, pod.Name, pod.Uid, record.Type, record.Reason, record.Message);
                break;
            case PodAction.WakeAt wake:
                _wakeTimer?.Dispose();
                var due = wake.At - _context.Time.GetUtcNow();
                _wakeTimer = _context.Time.CreateTimer(static s => ((PodWorker)s!).Post(new PodEvent.Wake()), this, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
                break;
        }
    }

    private void StartContainer(PodState pod, string name)
    {
        var spec = pod.FindSpec(name)!;
        var ports = pod.Ports.TryGetValue(name, out var p) ? (IReadOnlyList<PortMapping>)p : [];
        var environment = EnvironmentOf(pod, name);
        _environments[name] = environment;
        var launch = new ContainerLaunch
        {
            Namespace = pod.Namespace,
            PodName = pod.Name,
            PodUid = pod.Uid,
            ServiceName = pod.ServiceName,
            Container = spec,
            Argv = ContainerLaunchBuilder.Argv(spec, environment),
            Environment = environment,
            Ports = ports,
            RestartCount = pod.FindContainer(name)?.InstancesStarted ?? 0,
            ConfigDirectory = _configDirectory,
            PodLabels = pod.Labels,
            TemplateHash = pod.TemplateHash,
            RecordEvent = (type, reason, message) => _context.Events.Record(pod.Namespace, pod.Name, pod.Uid, type, reason, message),
        };

        var start = Task.Run(() => StartInstanceAsync(pod, name, launch));
        lock (_starts)
        {
            _starts.RemoveAll(s => s.Start.IsCompleted);
            _starts.Add((name, start));
        }
    }

    /// <summary>Asks the runtime for an instance; a deletion cancels the ask. Returns the instance, or null when none was started.</summary>
    private async Task<IContainerInstance?> StartInstanceAsync(PodState pod, string name, ContainerLaunch launch)
    {
        IContainerInstance instance;
        try
        {
            instance = await _context.Runtimes.For(pod.Runtime).StartAsync(launch, _deleted.Token);
        }
        catch (OperationCanceledException) when (_deleted.IsCancellationRequested)
        {
            return null;
        }
        catch (ContainerStartException e)
        {
            Post(new PodEvent.ContainerStartFailed(name, e.Message, e.Reason));
            return null;
        }
        catch (Exception e)
        {
            Post(new PodEvent.ContainerStartFailed(name, e.Message));
            return null;
        }

        Post(new InstanceStarted(name, instance));
        _ = WatchAsync(name, instance);
        return instance;
    }

    private async Task WatchAsync(string name, IContainerInstance instance)
    {
        var exit = await instance.Exited;
        Post(new PodEvent.ContainerExited(name, instance.Id, exit.ExitCode, exit.Reason, exit.Message));
    }

    /// <summary>
    /// Kills one container for a failed liveness or startup probe: the pod is already out of rotation
    /// (a killed container is not ready), so drain, run preStop, then stop, all within the grace period.
    /// </summary>
    private async Task KillAsync(PodState pod, string container, IContainerInstance instance, TimeSpan gracePeriod)
    {
        var deadline = _context.Time.GetUtcNow() + gracePeriod;
        await DrainAsync(pod, deadline);
        await StopAsync(pod, [(container, instance)], deadline);
    }

    /// <summary>Deletion: drain, then preStop and stop every running container within the grace period.</summary>
    private async Task TerminateAsync(PodState pod, TimeSpan gracePeriod)
    {
        var deadline = _context.Time.GetUtcNow() + gracePeriod;
        var started = await StartsInProgressAsync(deadline);
        await DrainAsync(pod, deadline);
        (string, IContainerInstance)[] running;
        lock (_previousLogs)
        {
            // An instance whose start was answered after the deletion may not be tracked yet: it is stopped all the same.
            running = [.. _instances.Select(i => (i.Key, i.Value))
                .Concat(started.Where(s => !_instances.ContainsValue(s.Instance)))
                .Where(i => !i.Item2.Exited.IsCompleted)];
        }

        await StopAsync(pod, running, deadline);
        Post(new PodEvent.Terminated());
    }

    /// <summary>
    /// Waits for the starts the deletion cancelled to answer (within the grace period), so that no
    /// instance comes up after the pod is gone; returns the instances they started all the same.
    /// </summary>
    private async Task<List<(string Container, IContainerInstance Instance)>> StartsInProgressAsync(DateTimeOffset deadline)
    {
        (string Container, Task<IContainerInstance?> Start)[] starts;
        lock (_starts)
        {
            starts = [.. _starts];
        }

        var remaining = deadline - _context.Time.GetUtcNow();
        try
        {
            await Task.WhenAll(starts.Select(s => s.Start)).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _context.Time);
        }
        catch (TimeoutException e)
        {
            Log.StartOutlivedGrace(_logger, _state.Name, e);
        }

        return [.. starts.Where(s => s.Start is { IsCompletedSuccessfully: true, Result: not null }).Select(s => (s.Container, s.Start.Result!))];
    }

    private async Task DrainAsync(PodState pod, DateTimeOffset deadline)
    {
        try
        {
            await _context.Drainer.DrainAsync(pod, deadline, CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.DrainFailed(_logger, pod.Name, e);
        }
    }

    /// <summary>Each container's preStop hook, then the stop signal, then SIGKILL at the deadline.</summary>
    private async Task StopAsync(PodState pod, IEnumerable<(string Container, IContainerInstance Instance)> containers, DateTimeOffset deadline)
    {
        await Task.WhenAll(containers.Select(async c =>
        {
            var spec = pod.FindSpec(c.Container);
            if (spec?.Lifecycle?.PreStop is { } preStop)
            {
                var error = await PreStopHook.RunAsync(preStop, TargetFor(pod, c.Container, c.Instance), _context.Prober, _context.Time, deadline);
                if (error is not null)
                {
                    _context.Events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "FailedPreStopHook",
                        $"PreStopHook failed for container {c.Container}: {error}", $"spec.containers{{{c.Container}}}");
                }
            }

            var remaining = deadline - _context.Time.GetUtcNow();
            await c.Instance.StopAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, CancellationToken.None);
        }));
    }

    private void ReconcileProbes(PodState before, PodState after)
    {
        foreach (var container in after.Containers)
        {
            var spec = after.FindSpec(container.Name)!;
            ReconcileProbe(after, container, ProbeKind.Startup, spec.StartupProbe);
            ReconcileProbe(after, container, ProbeKind.Liveness, spec.LivenessProbe);
            ReconcileProbe(after, container, ProbeKind.Readiness, spec.ReadinessProbe);

            // The moment a container becomes Started through its startup probe, readiness runs at once.
            if (container.Started && container.HasStartupProbe && before.FindContainer(container.Name) is { Started: false }
                && _probes.TryGetValue((container.Name, ProbeKind.Readiness), out var readiness))
            {
                readiness.Trigger();
            }
        }
    }

    private void ReconcileProbe(PodState pod, ContainerStatus container, ProbeKind kind, V1Probe? probe)
    {
        var key = (container.Name, kind);
        _probes.TryGetValue(key, out var existing);
        var wanted = probe is not null && container.InstanceId is { } id && Probed(pod, container.Name, id).IsProbedBy(kind);
        if (existing is not null && (!wanted || existing.InstanceId != container.InstanceId))
        {
            _probes.Remove(key);
            _ = existing.DisposeAsync().AsTask();
            existing = null;
        }

        if (!wanted || existing is not null)
        {
            return;
        }

        var target = TargetFor(pod, container.Name, _instances[container.Name]);
        var name = container.Name;
        var instanceId = container.InstanceId!;
        var worker = new ProbeWorker(kind, probe!, new ProbeSubject(pod.Namespace, pod.Name, pod.Uid, pod.ServiceName, name), instanceId,
            container.StartedAt ?? _context.Time.GetUtcNow(), target, _context.Prober, _context.Time,
            () => Probed(_state, name, instanceId), result => Post(new PodEvent.ProbeChanged(name, instanceId, kind, result)),
            _context.Events, _context.ProbeObserver);
        _probes[key] = worker;
        var uptime = _context.Time.GetUtcNow() - _context.GatewayStartedAt;
        worker.Start(ProbeSchedule.FirstTickDelay(worker.Period, uptime, Random.Shared.NextDouble()));
    }

    /// <summary>What a probe worker of <paramref name="instanceId"/> sees of its container in <paramref name="pod"/>.</summary>
    internal static ProbedInstance Probed(PodState pod, string container, string instanceId) =>
        pod.FindContainer(container) is { IsRunning: true } c && c.InstanceId == instanceId
            ? new ProbedInstance(Current: true, c.Started, pod.IsDeleting)
            : new ProbedInstance(Current: false, Started: false, pod.IsDeleting);

    private ProbeTarget TargetFor(PodState pod, string container, IContainerInstance instance) => new()
    {
        PodIp = pod.PodIp,
        Ports = pod.Ports.TryGetValue(container, out var ports) ? ports : [],
        Environment = _environments.GetValueOrDefault(container) ?? new Dictionary<string, string>(),
        Exec = instance.ExecAsync,
    };

    private async Task FinishAsync()
    {
        _wakeTimer?.Dispose();
        await Task.WhenAll(_probes.Values.Select(p => p.DisposeAsync().AsTask()));
        _probes.Clear();
        foreach (var instance in _instances.Values)
        {
            await instance.DisposeAsync();
        }

        _context.Ports.Release(_state.Ports.Values.SelectMany(p => p).Select(p => p.HostPort));
        _context.Registry.Remove(_state.Name);
        _completion.TrySetResult();
    }

    /// <summary>Asks the readiness workers to re-check (see <see cref="RecheckReadiness"/>).</summary>
    private sealed record RecheckRequested : PodEvent;

    /// <summary>An instance an earlier gateway left running, handed to this pod at its creation.</summary>
    private sealed record InstanceAdopted(AdoptedContainer Container) : PodEvent;

    /// <summary>The runtime started an instance; carries the instance object into the worker loop.</summary>
    private sealed record InstanceStarted(string Container, IContainerInstance Instance) : PodEvent;

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "pod {Pod}: handling {Event} failed")]
        public static partial void WorkerFailed(ILogger logger, string pod, string @event, Exception exception);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "pod {Pod}: a container start did not answer within the grace period; stopping the rest")]
        public static partial void StartOutlivedGrace(ILogger logger, string pod, Exception exception);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "pod {Pod}: drain failed; stopping anyway")]
        public static partial void DrainFailed(ILogger logger, string pod, Exception exception);
    }
}
