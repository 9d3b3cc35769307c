using System.Collections.Immutable;
using Gateway.Pods;

namespace Gateway.Routing;

/// <summary>
/// The endpoints of every service, derived from the pods (or, for a cluster's Service, set from its
/// EndpointSlices) and swapped whole on each change. The
/// routing policy reads <see cref="Current"/> on the request path without a lock.
/// </summary>
public sealed class EndpointTable(TimeProvider time)
{
    private readonly TimeProvider _time = time;
    private readonly HashSet<string> _hasReadinessProbe = new(StringComparer.Ordinal);
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

    public IEnumerable<Endpoint> ForService(string service) => Current.Values.Where(e => e.Service == service);

    /// <summary>The endpoint a pod has: the first declared port of its first container that declares one, while that container runs.</summary>
    public static Endpoint? FromPod(PodState pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var spec in pod.Spec.Containers)
        {
            if (!pod.Ports.TryGetValue(spec.Name, out var ports) || ports.Length == 0)
            {
                continue;
            }

            var status = pod.FindContainer(spec.Name);
            if (status is not { IsRunning: true, InstanceId: { } instance })
            {
                return null;
            }

            return new Endpoint(pod.ServiceName, pod.Name, $"{pod.Name}/{instance}", $"http://{pod.PodIp}:{ports[0].HostPort}", pod.Ready, pod.IsDeleting);
        }

        return null;
    }

    /// <summary>
    /// Takes an endpoint out of rotation at once, after a connection to it failed. The pod's next
    /// state (its readiness re-check, its exit) replaces the endpoint and so ends the ejection; a pod
    /// with no readiness probe comes back after <see cref="EjectionWithoutReadinessProbe"/>.
    /// </summary>
    public Endpoint? Eject(string destinationId)
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
        }

        ConditionsChanged?.Invoke(ejected.Service);
        _ = ReinstateLaterAsync(ejected);
        return ejected;
    }

    public static readonly TimeSpan EjectionWithoutReadinessProbe = TimeSpan.FromSeconds(1);

    private async Task ReinstateLaterAsync(Endpoint ejected)
    {
        await Task.Delay(EjectionWithoutReadinessProbe, _time);
        bool reinstated;
        lock (_writeLock)
        {
            reinstated = _byDestination.TryGetValue(ejected.DestinationId, out var current) && ReferenceEquals(current, ejected) && !_hasReadinessProbe.Contains(ejected.PodName);
            if (reinstated)
            {
                var back = ejected with { Ejected = false };
                Volatile.Write(ref _byDestination, _byDestination.SetItem(back.DestinationId, back));
                Volatile.Write(ref _byPod, _byPod.SetItem(back.PodName, back));
            }
        }

        if (reinstated)
        {
            ConditionsChanged?.Invoke(ejected.Service);
        }
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
                var kept = endpoint;
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
