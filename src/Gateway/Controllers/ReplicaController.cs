using System.Threading.Channels;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Runtimes;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// Keeps each service at its replica count (a Job at its one pod to completion, <see cref="JobDecision"/>):
/// reconciles whenever a pod changes. A service whose <c>DependsOn</c> does not hold yet gets Pending
/// pods that wait (<see cref="DependencyGate"/>); once released, its dependencies' <c>Propagate</c>
/// applies. On shutdown it deletes every pod (each drains, then stops) and waits for them, dependents
/// before what they depend on (<see cref="DependencyGraph.ShutdownWaves"/>).
/// </summary>
internal sealed partial class ReplicaController : BackgroundService
{
    private readonly PodManager _pods;
    private readonly PodRegistry _registry;
    private readonly ILogger<ReplicaController> _logger;
    /// <summary>
    /// Raised after each reconcile pass, with how many have run: whoever must know that the
    /// controller has seen a state (a test asserting that it created nothing more) waits for a pass
    /// that began after it.
    /// </summary>
    public event Action<long>? Reconciled;

    private long _passes;

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _barePodsCreated = new(StringComparer.Ordinal);
    private readonly ServiceCatalog _catalog;
    private readonly EventRecorder _events;

    /// <summary>Services whose replicas are held back because too many pods wait Pending; touched by the reconcile loop only.</summary>
    private readonly HashSet<string> _heldBack = new(StringComparer.Ordinal);
    private static readonly TimeSpan AdoptionRetry = TimeSpan.FromSeconds(2);

    /// <summary>Runtimes of configured services not yet asked for what an earlier gateway left; touched by the reconcile loop only.</summary>
    private readonly HashSet<RuntimeKind> _awaitingAdoption;

    /// <summary>Runtimes whose failed adoption was already logged: a retry every 2 s logs nothing more.</summary>
    private readonly HashSet<RuntimeKind> _adoptionFailed = [];
    private volatile bool _stopping;

    /// <summary>Each replicated service's replacement back-off, and the reconcile already asked for at its end; touched by the reconcile loop only.</summary>
    private readonly Dictionary<string, ReplacementBackoff> _replacements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _replacementWakes = new(StringComparer.Ordinal);

    /// <summary>The changes made through the admin API, laid over the file's services.</summary>
    private readonly DeploymentStore _deployments;

    /// <summary>Services whose DependsOn held once: their pods are created from then on; touched by the reconcile loop only.</summary>
    private readonly HashSet<string> _released = new(StringComparer.Ordinal);

    /// <summary>(dependent, dependency) pairs with <c>"Propagate": "Restart"</c> whose dependency stopped holding; touched by the reconcile loop only.</summary>
    private readonly HashSet<(string Dependent, string Dependency)> _wentDown = [];

    /// <summary>The endpoints of Kubernetes and Static services, whose readiness a dependent may wait for.</summary>
    private readonly ExternalEndpoints _endpoints;

    /// <summary>Whether a shutdown leaves the pods running (none: it stops them).</summary>
    private readonly PodShutdownPolicy? _shutdown;

    public ReplicaController(ServiceCatalog catalog, PodManager pods, PodRegistry registry, EventRecorder events, ILogger<ReplicaController> logger, DeploymentStore? deployments = null,
        ExternalEndpoints? endpoints = null, PodShutdownPolicy? shutdown = null)
    {
        _shutdown = shutdown;
        _endpoints = endpoints ?? ExternalEndpoints.None;
        _endpoints.Changed += () => _signal.Writer.TryWrite(true);

        _catalog = catalog;
        _deployments = deployments ?? new DeploymentStore(events, pods.Time);
        _deployments.Changed += () => _signal.Writer.TryWrite(true);
        _events = events;
        // The Process runtime is always asked: the pods of a service since removed are its to end.
        _awaitingAdoption = [.. catalog.Current.Services.Select(s => s.Pods?.Runtime).OfType<RuntimeKind>(), RuntimeKind.Process];
        _pods = pods;
        _registry = registry;
        _logger = logger;
        _registry.Changed += (_, _) => _signal.Writer.TryWrite(true);
        _catalog.Changed += _ => _signal.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _signal.Writer.TryWrite(true);
        try
        {
            while (await _signal.Reader.WaitToReadAsync(stoppingToken))
            {
                _signal.Reader.TryRead(out _);
                if (!_stopping)
                {
                    try
                    {
                        await AdoptAsync(stoppingToken);
                        Reconcile(stoppingToken);
                        Reconciled?.Invoke(++_passes);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A bug here must not take down the gateway and the pods it serves: log, retry on the next change.
                        Log.ReconcileFailed(_logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Before a runtime whose containers outlive the gateway gets new pods, takes over what an earlier
    /// gateway left there. A runtime that cannot be reached is asked again every few seconds, and its
    /// services get no new pods meanwhile: creating them would double the backends it still runs.
    /// </summary>
    private async Task AdoptAsync(CancellationToken stoppingToken)
    {
        foreach (var kind in _awaitingAdoption.ToList())
        {
            if (_pods.Runtimes.Find(kind) is not IAdoptingRuntime runtime)
            {
                _awaitingAdoption.Remove(kind);
                continue;
            }

            IReadOnlyList<AdoptedPod> adopted;
            try
            {
                adopted = await runtime.AdoptAsync(_catalog.Current.Services, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (_adoptionFailed.Add(kind))
                {
                    Log.AdoptionFailed(_logger, kind, e.Message);
                }

                _ = Task.Delay(AdoptionRetry, _pods.Time, stoppingToken).ContinueWith(_ => _signal.Writer.TryWrite(true), TaskScheduler.Default);
                continue;
            }

            _awaitingAdoption.Remove(kind);
            foreach (var pod in adopted)
            {
                var service = _catalog.Current.Services.First(s => s.Name == pod.ServiceName);
                _pods.Adopt(service, pod);
                if (service.Pods!.PodName is not null)
                {
                    _barePodsCreated[service.Name] = service.Pods.TemplateHash;
                }

                Log.AdoptedPod(_logger, service.Name, pod.Name, kind);
            }
        }
    }

    private void Reconcile(CancellationToken stoppingToken)
    {
        var pods = _registry.Pods.Values;
        var spec = _catalog.Current;
        var (services, generations) = _deployments.Observe(spec.Services);

        // A service removed from the configuration: its pods drain and stop.
        foreach (var orphan in pods.Where(p => !p.IsDeleting && services.All(s => s.Name != p.ServiceName)))
        {
            Log.DeletingPod(_logger, orphan.ServiceName, orphan.Name);
            _pods.Delete(orphan.Name, "service removed from the configuration");
        }

        var states = services.ToDictionary(s => s.Name, s => DependencyState.Of(s, pods, _endpoints.Read()), StringComparer.Ordinal);
        _released.IntersectWith(services.Select(s => s.Name));
        var wanted = new List<(string Service, int Create)>();
        var waitingServices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (service, backend) in PodServices(services).Where(s => !_awaitingAdoption.Contains(s.Pods.Runtime)))
        {
            var mine = pods.Where(p => p.ServiceName == service.Name).ToList();
            var barePodCreated = _barePodsCreated.TryGetValue(service.Name, out var createdHash) && createdHash == backend.TemplateHash;
            // A paused rollout only scales: every pod counts as current, whatever its template.
            var paused = _deployments.Find(service.Name)?.Paused ?? false;
            var (create, delete) = backend.Job is { } job
                ? JobDecision.Decide(job, mine, backend.TemplateHash) is var (c, d, _) ? (c, d) : default
                : ReplicaDecision.Decide(backend.Replicas, backend.PodName is not null, barePodCreated, mine, paused ? null : backend.TemplateHash, backend.Rollout, spec.TerminatedPodHistory);
            if (backend.PodName is null)
            {
                create = HoldReplacements(service, mine, create, stoppingToken);
            }

            foreach (var name in delete)
            {
                Log.DeletingPod(_logger, service.Name, name);
                _pods.Delete(name, "replica controller");
            }

            if (WaitingFor(service, states) is { } waitingFor)
            {
                // Not created until the dependencies hold: Pending pods that say what they wait for.
                waitingServices.Add(service.Name);
                foreach (var pod in mine.Where(p => !p.Scheduled))
                {
                    _pods.UpdateWaiting(pod.Name, waitingFor);
                }

                for (var i = 0; i < create; i++)
                {
                    var pod = _pods.CreateWaiting(service, waitingFor);
                    Log.WaitingPod(_logger, service.Name, pod.Name, waitingFor);
                }

                continue;
            }

            Propagate(service, mine, states);
            wanted.Add((service.Name, create));
        }

        // Deleting a Pending pod frees nothing but is immediate: decide over what is left. Pods that wait for their dependencies take no part.
        var plan = PodScheduling.Decide(spec.MaxPods, [.. _registry.Pods.Values.Where(p => !waitingServices.Contains(p.ServiceName))], wanted);
        foreach (var name in plan.Bind)
        {
            if (_registry.Pods.TryGetValue(name, out var pod) && services.FirstOrDefault(s => s.Name == pod.ServiceName) is { } service)
            {
                _pods.Bind(name, service, ReadinessDependenciesHold(service, states));
                Log.BoundPod(_logger, service.Name, name);
            }
        }

        foreach (var (service, backend) in PodServices(services))
        {
            if (!plan.Create.TryGetValue(service.Name, out var created))
            {
                continue;
            }

            for (var i = 0; i < created.Scheduled + created.Pending; i++)
            {
                var pod = _pods.Create(service, schedule: i < created.Scheduled, ReadinessDependenciesHold(service, states));
                if (backend.PodName is not null)
                {
                    _barePodsCreated[service.Name] = backend.TemplateHash;
                }

                Log.CreatedPod(_logger, service.Name, pod.Name);
            }

            ReportNotCreated(service, created, spec.MaxPods);
        }

        _deployments.MarkObserved(generations);
    }

    /// <summary>
    /// What <paramref name="service"/> still waits for before its first pods (a message), or null once
    /// its DependsOn holds: from then on it is released, and a dependency that goes down later only
    /// does what its <c>Propagate</c> says.
    /// </summary>
    private string? WaitingFor(ServiceSpec service, IReadOnlyDictionary<string, DependencyState> states)
    {
        if (service.DependsOn.Count == 0 || _released.Contains(service.Name))
        {
            return null;
        }

        var waiting = DependencyGate.Waiting(service.DependsOn, states);
        if (waiting.Count > 0)
        {
            return DependencyGate.Message(waiting);
        }

        _released.Add(service.Name);
        Log.DependenciesHold(_logger, service.Name);
        return null;
    }

    /// <summary>Whether every dependency with <c>"Propagate": "Readiness"</c> holds: the gate a new pod starts with.</summary>
    private static bool ReadinessDependenciesHold(ServiceSpec service, IReadOnlyDictionary<string, DependencyState> states) =>
        service.DependsOn.Where(d => d.Propagate == DependencyPropagation.Readiness).All(d => DependencyGate.Holds(d, states.GetValueOrDefault(d.Service)));

    /// <summary>
    /// A released service's dependencies that have a <c>Propagate</c>: its pods' readiness gate follows
    /// those with Readiness; those with Restart, once back after going down, have its pods deleted
    /// (each drains) so that new ones are created.
    /// </summary>
    private void Propagate(ServiceSpec service, IReadOnlyList<PodState> mine, IReadOnlyDictionary<string, DependencyState> states)
    {
        var gate = (Applies: false, Ready: true, Down: new List<DependencySpec>());
        foreach (var dependency in service.DependsOn.Where(d => d.Propagate != DependencyPropagation.None))
        {
            var holds = DependencyGate.Holds(dependency, states.GetValueOrDefault(dependency.Service));
            var key = (service.Name, dependency.Service);
            var (action, wentDown) = DependencyPropagationDecision.Decide(dependency.Propagate, holds, _wentDown.Contains(key));
            if (wentDown)
            {
                _wentDown.Add(key);
            }
            else
            {
                _wentDown.Remove(key);
            }

            switch (action)
            {
                case PropagationAction.GateTrue:
                    gate.Applies = true;
                    break;
                case PropagationAction.GateFalse:
                    gate = (true, false, [.. gate.Down, dependency]);
                    break;
                case PropagationAction.Restart:
                    Restart(service, mine, dependency);
                    break;
            }
        }

        if (!gate.Applies)
        {
            return;
        }

        var message = gate.Ready ? "" : $"{DependencyGate.Message(gate.Down)} again";
        foreach (var pod in mine.Where(p => p.Scheduled && !p.IsTerminal && !p.IsDeleting))
        {
            if (pod.GateConditions.TryGetValue(DependencySpec.ReadinessGate, out var now) && now != gate.Ready && _pods.Find(pod.Name) is { } worker)
            {
                worker.Post(new PodEvent.SetGate(DependencySpec.ReadinessGate, gate.Ready, DependencyGate.NotReadyReason, message));
                _events.Record(pod.Namespace, pod.Name, pod.Uid, gate.Ready ? EventType.Normal : EventType.Warning, gate.Ready ? "DependenciesReady" : DependencyGate.NotReadyReason,
                    gate.Ready ? "dependencies are ready again: the pod may be Ready" : $"{message}: the pod is not Ready, out of routing");
            }
        }
    }

    /// <summary><c>"Propagate": "Restart"</c>: the dependency is back, the dependent's pods are deleted and created anew.</summary>
    private void Restart(ServiceSpec service, IReadOnlyList<PodState> mine, DependencySpec dependency)
    {
        var restarted = mine.Where(p => !p.IsDeleting && !p.IsTerminal).ToList();
        _barePodsCreated.Remove(service.Name);
        foreach (var pod in restarted)
        {
            _events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "DependencyRestart",
                $"{dependency.Service} holds its condition again after going down: restarting the pod (drained, then created anew)");
            Log.RestartingPod(_logger, service.Name, pod.Name, dependency.Service);
            _pods.Delete(pod.Name, $"dependency {dependency.Service} came back");
        }
    }

    /// <summary>
    /// A service whose pods keep ending replaces them after a back-off (<see cref="ReplacementBackoff"/>):
    /// while it holds, nothing is created, a <c>BackOff</c> event on the service's ReplicaSet says why
    /// (once per ended pod), and a reconcile is asked for at its end.
    /// </summary>
    private int HoldReplacements(ServiceSpec service, IReadOnlyCollection<PodState> pods, int create, CancellationToken stoppingToken)
    {
        var now = _pods.Time.GetUtcNow();
        var before = _replacements.GetValueOrDefault(service.Name, ReplacementBackoff.None);
        var (heldUntil, next, replacing) = ReplacementBackoff.Decide(before, pods, now);
        _replacements[service.Name] = next;
        if (heldUntil is not { } until || create == 0)
        {
            return create;
        }

        if (next.Held != before.Held)
        {
            var replicaSet = $"{service.Name}-{service.Pods!.TemplateHash}";
            var phase = pods.FirstOrDefault(p => p.Name == replacing)?.Phase.ToString() ?? "ended";
            _events.Record("default", replicaSet, "", EventType.Warning, "BackOff",
                $"Back-off {Math.Ceiling((until - now).TotalSeconds)}s creating a replacement for pod {replacing} ({phase}); pods of this service keep ending", kind: "ReplicaSet");
            Log.ReplacementHeld(_logger, service.Name, replacing ?? "", (until - now).TotalSeconds);
        }

        if (!_replacementWakes.TryGetValue(service.Name, out var wake) || wake != until)
        {
            _replacementWakes[service.Name] = until;
            _ = Task.Delay(until - now, _pods.Time, stoppingToken).ContinueWith(_ => _signal.Writer.TryWrite(true), TaskScheduler.Default);
        }

        return 0;
    }

    /// <summary>The services whose backend is pods the gateway runs; the others have controllers of their own.</summary>
    private static IEnumerable<(ServiceSpec Service, PodsBackend Pods)> PodServices(IEnumerable<ServiceSpec> services) =>
        services.Where(s => s.Pods is not null).Select(s => (s, s.Pods!));

    /// <summary>
    /// Replicas held back because too many pods already wait Pending: said once, until every replica
    /// has been created, as the ReplicaSet controller's <c>FailedCreate</c> on the ReplicaSet (named
    /// like the pods' prefix). Replicas only waiting for pacing are not worth an event.
    /// </summary>
    private void ReportNotCreated(ServiceSpec service, ServiceCreations created, int maxPods)
    {
        if (created.NotCreated == 0)
        {
            _heldBack.Remove(service.Name);
            return;
        }

        if (_registry.Pods.Values.Count(p => !p.Scheduled) >= PodScheduling.MaxPendingPods && _heldBack.Add(service.Name))
        {
            var replicaSet = $"{service.Name}-{service.Pods!.TemplateHash}";
            var message = $"Error creating: pods \"{replicaSet}-\" is forbidden: {PodScheduling.MaxPendingPods} pods already wait Pending for room on the gateway "
                + $"(Gateway:MaxPods is {maxPods}); the other replicas are created as pods get scheduled";
            _events.Record("default", replicaSet, "", EventType.Warning, "FailedCreate", message, kind: "ReplicaSet");
            Log.ReplicasHeldBack(_logger, service.Name, PodScheduling.MaxPendingPods, maxPods);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await base.StopAsync(cancellationToken);
        if (_shutdown?.KeepPods == true)
        {
            // Gateway:KeepPodsOnShutdown (or a hand-over): the listeners drain, the pods run on for the next gateway.
            Log.KeepingPods(_logger, _registry.Pods.Count);
            return;
        }

        foreach (var pending in _registry.Pods.Values.Where(p => !p.Scheduled))
        {
            _pods.Delete(pending.Name, "gateway shutting down");
        }

        // Dependents stop before what they depend on, each drained; the services of a wave together.
        var graph = _catalog.Current.Services.ToDictionary(s => s.Name, s => (IReadOnlyList<string>)[.. s.DependsOn.Select(d => d.Service)], StringComparer.Ordinal);
        var waves = DependencyGraph.ShutdownWaves(graph);
        var workers = _pods.Workers.ToList();
        if (waves.Count <= 1)
        {
            await StopAllAsync(workers, cancellationToken);
            return;
        }

        await StopAllAsync([.. workers.Where(w => !graph.ContainsKey(w.State.ServiceName))], cancellationToken);
        foreach (var wave in waves)
        {
            var names = string.Join(", ", wave);
            Log.StoppingWave(_logger, names);
            await StopAllAsync([.. _pods.Workers.Where(w => wave.Contains(w.State.ServiceName))], cancellationToken);
            Log.StoppedWave(_logger, names);
        }
    }

    private static async Task StopAllAsync(IReadOnlyList<PodWorker> workers, CancellationToken cancellationToken)
    {
        foreach (var worker in workers)
        {
            worker.Post(new PodEvent.Delete("gateway shutting down"));
        }

        await Task.WhenAll(workers.Select(w => w.Completion)).WaitAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "reconciling the services failed; retrying on the next change")]
        public static partial void ReconcileFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "service {Service}: created pod {Pod}")]
        public static partial void CreatedPod(ILogger logger, string service, string pod);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "service {Service}: adopted pod {Pod}, left running on {Runtime} by an earlier gateway")]
        public static partial void AdoptedPod(ILogger logger, string service, string pod, RuntimeKind runtime);

        [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "cannot look for the pods an earlier gateway left on {Runtime}: {Error}; its services get no new pods until it answers (retrying)")]
        public static partial void AdoptionFailed(ILogger logger, RuntimeKind runtime, string error);

        [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "service {Service}: pod {Pod} scheduled now that the gateway has room")]
        public static partial void BoundPod(ILogger logger, string service, string pod);

        [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "service {Service}: {Pending} pods already wait Pending (Gateway:MaxPods is {MaxPods}); the other replicas are created as pods get scheduled")]
        public static partial void ReplicasHeldBack(ILogger logger, string service, int pending, int maxPods);

        [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "service {Service}: pod {Pod} ended; its replacement backs off {Seconds:0.#} s")]
        public static partial void ReplacementHeld(ILogger logger, string service, string pod, double seconds);

        [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "service {Service}: pod {Pod} Pending, {Waiting}")]
        public static partial void WaitingPod(ILogger logger, string service, string pod, string waiting);

        [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "service {Service}: its dependencies hold; its pods are created")]
        public static partial void DependenciesHold(ILogger logger, string service);

        [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "service {Service}: restarting pod {Pod}: dependency {Dependency} is back")]
        public static partial void RestartingPod(ILogger logger, string service, string pod, string dependency);

        [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "shutdown: stopping {Services}")]
        public static partial void StoppingWave(ILogger logger, string services);

        [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "shutdown: stopped {Services}")]
        public static partial void StoppedWave(ILogger logger, string services);

        [LoggerMessage(EventId = 215, Level = LogLevel.Information, Message = "leaving {Count} pods running for the next gateway to adopt (Gateway:KeepPodsOnShutdown)")]
        public static partial void KeepingPods(ILogger logger, int count);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "service {Service}: deleting pod {Pod}")]
        public static partial void DeletingPod(ILogger logger, string service, string pod);
    }
}
