using System.Collections.Immutable;
using Gateway.Pods;
using Gateway.Runtimes;

namespace Gateway.Routing;

/// <summary>
/// The endpoints of every service, derived from the pods (or, for a cluster's Service or static
/// addresses, set by their controller) and swapped whole on each change: the one model of endpoint
/// health. Routing reads it only where YARP recomputes availability (<see cref="ReadyDestinationsPolicy"/>,
/// on <see cref="ConditionsChanged"/> and config changes); the request path reads what that
/// computation hands it (<see cref="ReadyDestinations"/>), and YARP's <c>DestinationState.Health</c>
/// is never set or read.
/// </summary>
/// <remarks>
/// Why this table and not YARP's health (<c>IDestinationHealthUpdater</c>): kube-proxy's rule needs
/// three conditions per endpoint (ready, serving, terminating), and YARP's health has one
/// Unknown/Healthy/Unhealthy value per kind, so "serving but terminating" would still live
/// elsewhere (destination metadata, applied through a config reload), beside a second copy of
/// readiness; the drain needs the terminating pod out of availability synchronously, before it
/// starts counting in-flight requests, while YARP's passive health applies on the thread pool
/// (<c>SetPassive</c> queues its availability update); and a fast ejection ends when the pod's readiness
/// re-check answers, which YARP's time-only reactivation cannot know (an outlier ejection ends at its
/// time, but only for a pod whose readiness still passes). The table is needed anyway as the
/// EndpointSlices that the admin API, the metrics and the producers share. So it is the one model.
/// </remarks>
public sealed class EndpointTable(TimeProvider time)
{
    private readonly TimeProvider _time = time;
    private readonly HashSet<string> _hasReadinessProbe = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Reinstatement> _reinstatements = new(StringComparer.Ordinal);

    // Timed (outlier) ejections by destination id, to the time they end.
    private readonly Dictionary<string, DateTimeOffset> _ejectedUntil = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private ImmutableDictionary<string, Endpoint> _byPod = ImmutableDictionary<string, Endpoint>.Empty;
    private ImmutableDictionary<string, Endpoint> _byDestination = ImmutableDictionary<string, Endpoint>.Empty;

    /// <summary>Endpoints by destination id.</summary>
    public ImmutableDictionary<string, Endpoint> Current => Volatile.Read(ref _byDestination);

    /// <summary>The endpoint of a pod, if it has an address.</summary>
    public Endpoint? ForPod(string podName) => Volatile.Read(ref _byPod).GetValueOrDefault(podName);

    /// <summary>Raised after a service's destinations were added or removed (YARP config must change).</summary>
    public event Action<string>? DestinationsChanged;

    /// <summary>Raised after only the conditions of a service's endpoints changed (availability must be recomputed).</summary>
    public event Action<string>? ConditionsChanged;

    /// <summary>
    /// Raised after <see cref="Eject"/> took an endpoint out of rotation, with the endpoint as it was
    /// ejected. The endpoint's owner subscribes (a pod re-checks its readiness now), so that routing
    /// knows nothing of pods' workers.
    /// </summary>
    public event Action<Endpoint>? Ejected;

    public IEnumerable<Endpoint> ForService(string service) => Current.Values.Where(e => e.Service == service);

    /// <summary>
    /// The endpoint a pod has while the container it is routed on runs: the container port its
    /// service's Service targets (<see cref="PodState.RouteTarget"/>), else the first declared port of
    /// its first container that declares one.
    /// </summary>
    public static Endpoint? FromPod(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return RoutedPort(pod) is { } routed && pod.FindContainer(routed.Container) is { IsRunning: true, InstanceId: { } instance }
            ? new Endpoint(pod.ServiceName, pod.Name, $"{pod.Name}/{instance}", $"http://{pod.PodIp}:{routed.Port.HostPort}", pod.Ready, pod.IsDeleting)
            : null;
    }

    private static (string Container, PortMapping Port)? RoutedPort(PodState pod)
    {
        if (pod.RouteTarget is { } target)
        {
            return pod.Ports.TryGetValue(target.Container, out var targeted) && targeted.FirstOrDefault(p => p.ContainerPort == target.ContainerPort) is { } port
                ? (target.Container, port)
                : null;
        }

        foreach (var spec in pod.Spec.Containers)
        {
            if (pod.Ports.TryGetValue(spec.Name, out var ports) && ports.Length > 0)
            {
                return (spec.Name, ports[0]);
            }
        }

        return null;
    }

    /// <summary>
    /// Takes an endpoint out of rotation at once and raises <see cref="Ejected"/>. Without
    /// <paramref name="until"/> (a connection to it failed), the producer's next report of the
    /// endpoint (a pod's readiness re-check, its exit) replaces it and so ends the ejection; an
    /// endpoint not known to have a readiness probe comes back after <see cref="EjectionWithoutReadinessProbe"/>.
    /// With <paramref name="until"/> (outlier ejection: its answers failed), it stays out until then
    /// whatever its producer reports, and comes back at that time if it is still serving; for an
    /// address the gateway does not run, a report that it is not serving (it went down) ends it. Returns null
    /// when the endpoint is unknown or already ejected.
    /// </summary>
    public Endpoint? Eject(string destinationId, DateTimeOffset? until = null)
    {
        Endpoint ejected;
        lock (_writeLock)
        {
            if (!_byDestination.TryGetValue(destinationId, out var endpoint) || endpoint.Ejected)
            {
                return null;
            }

            ejected = endpoint with { Ejected = true };
            Volatile.Write(ref _byDestination, _byDestination.SetItem(destinationId, ejected));
            Volatile.Write(ref _byPod, _byPod.SetItem(ejected.PodName, ejected));
            _reinstatements.Remove(destinationId, out var stale);
            stale?.Timer.Dispose();
            if (until is { } end)
            {
                _ejectedUntil[destinationId] = end;
            }

            var due = until is { } u ? Max(u - _time.GetUtcNow(), TimeSpan.Zero) : EjectionWithoutReadinessProbe;
            _reinstatements[destinationId] = new Reinstatement(this, ejected, due, timed: until is not null);
        }

        ConditionsChanged?.Invoke(ejected.Service);
        Ejected?.Invoke(ejected);
        return ejected;
    }

    public static readonly TimeSpan EjectionWithoutReadinessProbe = TimeSpan.FromSeconds(1);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>An endpoint as a producer reports it, still ejected while a timed ejection of it lasts. Under the write lock.</summary>
    private Endpoint KeepTimedEjection(Endpoint endpoint)
    {
        if (!_ejectedUntil.ContainsKey(endpoint.DestinationId))
        {
            return endpoint;
        }

        if (!endpoint.Serving && !endpoint.HasPod)
        {
            // An address the gateway does not run (Static, a cluster's) whose readiness failed: it is
            // down, not misbehaving while up, and a server restarted there keeps the address. The outlier
            // ejection ends and readiness decides its return. (A pod's restart is a new instance, a new
            // destination, never ejected; a pod's own reports do not end its ejection.)
            _ejectedUntil.Remove(endpoint.DestinationId);
            return endpoint;
        }

        return endpoint.Ejected ? endpoint : endpoint with { Ejected = true };
    }

    /// <summary>
    /// Ends an ejection by time. An untimed one ends unless the endpoint has changed (or left) since
    /// or its pod has a readiness probe, whose re-check ends it instead; a timed one ends for the
    /// endpoint as it is now (its readiness may have changed meanwhile, and still decides).
    /// </summary>
    private void Reinstate(Reinstatement reinstatement)
    {
        var ejected = reinstatement.Ejected;
        lock (_writeLock)
        {
            // A timer's callback may still run after a newer ejection replaced (and disposed) it.
            var latest = _reinstatements.GetValueOrDefault(ejected.DestinationId) == reinstatement;
            if (latest)
            {
                _reinstatements.Remove(ejected.DestinationId);
            }

            reinstatement.Timer.Dispose();
            if (!_byDestination.TryGetValue(ejected.DestinationId, out var current))
            {
                if (latest)
                {
                    _ejectedUntil.Remove(ejected.DestinationId);
                }

                return;
            }

            if (reinstatement.Timed)
            {
                if (!latest)
                {
                    return;
                }

                _ejectedUntil.Remove(ejected.DestinationId);
                if (!current.Ejected)
                {
                    return;
                }
            }
            else if (!ReferenceEquals(current, ejected) || _hasReadinessProbe.Contains(ejected.PodName))
            {
                return;
            }

            var back = current with { Ejected = false };
            Volatile.Write(ref _byDestination, _byDestination.SetItem(back.DestinationId, back));
            Volatile.Write(ref _byPod, _byPod.SetItem(back.PodName, back));
        }

        ConditionsChanged?.Invoke(ejected.Service);
    }

    /// <summary>One ejection's timer; a class, not a record: two ejections are never the same one.</summary>
    private sealed class Reinstatement
    {
        public Reinstatement(EndpointTable table, Endpoint ejected, TimeSpan due, bool timed)
        {
            Table = table;
            Ejected = ejected;
            Timed = timed;
            Timer = table._time.CreateTimer(static s => { var r = (Reinstatement)s!; r.Table.Reinstate(r); }, this, due, Timeout.InfiniteTimeSpan);
        }

        public EndpointTable Table { get; }

        public Endpoint Ejected { get; }

        /// <summary>An outlier ejection, which only its time ends.</summary>
        public bool Timed { get; }

        public ITimer Timer { get; }
    }

    /// <summary>
    /// Replaces a service's endpoints with ones from outside the gateway (a cluster's EndpointSlices).
    /// An endpoint that comes back unchanged keeps its ejection; one whose conditions changed ends it.
    /// </summary>
    public void SetServiceEndpoints(string service, IEnumerable<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var next = endpoints.ToDictionary(e => e.DestinationId, StringComparer.Ordinal);
        bool destinationsChanged, conditionsChanged = false;
        lock (_writeLock)
        {
            var previous = _byDestination.Values.Where(e => e.Service == service).ToDictionary(e => e.DestinationId, StringComparer.Ordinal);
            destinationsChanged = previous.Count != next.Count || previous.Keys.Any(id => !next.ContainsKey(id));
            var byDestination = _byDestination.RemoveRange(previous.Keys);
            var byPod = _byPod.RemoveRange(previous.Values.Select(e => e.PodName));
            foreach (var (id, endpoint) in next)
            {
                var kept = KeepTimedEjection(endpoint);
                if (previous.TryGetValue(id, out var old))
                {
                    if (old.Ejected && old with { Ejected = false } == endpoint)
                    {
                        kept = old;
                    }

                    conditionsChanged |= kept != old;
                }

                byDestination = byDestination.SetItem(id, kept);
                byPod = byPod.SetItem(kept.PodName, kept);
            }

            Volatile.Write(ref _byDestination, byDestination);
            Volatile.Write(ref _byPod, byPod);
        }

        if (destinationsChanged)
        {
            DestinationsChanged?.Invoke(service);
        }
        else if (conditionsChanged)
        {
            ConditionsChanged?.Invoke(service);
        }
    }

    public void OnPodChanged(PodState? before, PodState? after)
    {
        var name = after?.Name ?? before?.Name;
        if (name is null)
        {
            return;
        }

        var service = after?.ServiceName ?? before!.ServiceName;
        var next = after is null ? null : FromPod(after);
        Endpoint? previous;
        lock (_writeLock)
        {
            if (after is not null && after.Containers.Any(c => c.HasReadinessProbe))
            {
                _hasReadinessProbe.Add(name);
            }
            else
            {
                _hasReadinessProbe.Remove(name);
            }

            _byPod.TryGetValue(name, out previous);
            if (next is { Ready: true })
            {
                next = next with
                {
                    ReadySince = previous is { Ready: true } && previous.DestinationId == next.DestinationId ? previous.ReadySince : _time.GetUtcNow(),
                };
            }

            if (next is not null)
            {
                next = KeepTimedEjection(next);
            }

            if (previous == next)
            {
                return;
            }

            var byDestination = _byDestination;
            if (previous is not null)
            {
                byDestination = byDestination.Remove(previous.DestinationId);
            }

            if (next is not null)
            {
                byDestination = byDestination.SetItem(next.DestinationId, next);
            }

            Volatile.Write(ref _byDestination, byDestination);
            Volatile.Write(ref _byPod, next is null ? _byPod.Remove(name) : _byPod.SetItem(name, next));
        }

        if (previous?.DestinationId == next?.DestinationId)
        {
            ConditionsChanged?.Invoke(service);
        }
        else
        {
            DestinationsChanged?.Invoke(service);
        }
    }
}
