using Gateway.Events;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Probes;

/// <summary>An address the gateway probes but does not run: a cluster's pod, or a Static backend's address.</summary>
/// <param name="Key">Stable while the address stays; a new key is a new endpoint, probed from its initial value.</param>
/// <param name="Name">What events and telemetry call it: the pod behind a cluster endpoint, or the address.</param>
/// <param name="PortName">The name a probe may give <paramref name="Port"/> in place of its number.</param>
public sealed record ProbedEndpoint(string Key, string Name, string Host, int Port, string? PortName);

/// <summary>
/// The readiness probe of one service's endpoints that the gateway does not run: one
/// <see cref="ProbeWorker"/> per endpoint, the same worker pods have, so the same jitter, initial
/// delay, thresholds, events and telemetry apply. An endpoint starts not ready (readiness' initial
/// value) until its first success; one that leaves the set loses its worker.
/// </summary>
internal sealed class EndpointProbes : IAsyncDisposable
{
    private readonly V1Probe _probe;
    private readonly string _namespace;
    private readonly string _service;
    private readonly string _backend;
    private readonly IProber _prober;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _gatewayStartedAt;
    private readonly EventRecorder _events;
    private readonly IProbeObserver? _observer;
    private readonly Action _changed;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Probed> _endpoints = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <param name="backend">The backend's name for what is probed (telemetry's container label): <c>cluster</c> or <c>static</c>.</param>
    /// <param name="changed">Called after an endpoint's readiness changed, off any lock.</param>
    public EndpointProbes(
        V1Probe probe, string ns, string service, string backend, IProber prober, TimeProvider time, DateTimeOffset gatewayStartedAt,
        EventRecorder events, IProbeObserver? observer, Action changed)
    {
        _probe = probe;
        _namespace = ns;
        _service = service;
        _backend = backend;
        _prober = prober;
        _time = time;
        _gatewayStartedAt = gatewayStartedAt;
        _events = events;
        _observer = observer;
        _changed = changed;
    }

    /// <summary>Whether the endpoint's probe has succeeded (its success threshold of times); false for one not probed yet.</summary>
    public bool IsReady(string key)
    {
        lock (_lock)
        {
            return _endpoints.TryGetValue(key, out var endpoint) && endpoint.Ready;
        }
    }

    /// <summary>Starts a worker for each new endpoint and stops those of endpoints that are gone.</summary>
    public void Sync(IEnumerable<ProbedEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        List<Probed> gone;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var endpoint in endpoints)
            {
                keep.Add(endpoint.Key);
                if (!_endpoints.ContainsKey(endpoint.Key))
                {
                    _endpoints.Add(endpoint.Key, Start(endpoint));
                }
            }

            gone = [.. _endpoints.Values.Where(e => !keep.Contains(e.Endpoint.Key))];
            foreach (var endpoint in gone)
            {
                _endpoints.Remove(endpoint.Endpoint.Key);
            }
        }

        foreach (var endpoint in gone)
        {
            _ = StopAsync(endpoint);
        }
    }

    /// <summary>
    /// The proxy could not connect to the endpoint: its cached result drops to failure and its probe
    /// runs now, as a pod's readiness does (<see cref="ProbeWorker.Recheck"/>).
    /// </summary>
    public void Recheck(string key)
    {
        lock (_lock)
        {
            if (_endpoints.TryGetValue(key, out var endpoint))
            {
                endpoint.Worker.Recheck();
            }
        }
    }

    private Probed Start(ProbedEndpoint endpoint)
    {
        var subject = new ProbeSubject(_namespace, endpoint.Name, "", _service, _backend, ProbeSubject.EndpointKind);
        var target = new ProbeTarget
        {
            PodIp = endpoint.Host,
            Ports = [new PortMapping(endpoint.PortName, endpoint.Port, endpoint.Port)],
            Exec = (_, _, _) => throw new NotSupportedException("exec probes do not reach an endpoint the gateway does not run"),
        };
        var probed = new Probed(endpoint, subject);
        probed.Worker = new ProbeWorker(ProbeKind.Readiness, _probe, subject, endpoint.Key, _time.GetUtcNow(), target, _prober, _time,
            () => new ProbedInstance(Current: !probed.Stopped, Started: true, Terminating: false),
            result => OnResult(probed, result), _events, _observer);
        probed.Worker.Start(ProbeSchedule.FirstTickDelay(probed.Worker.Period, _time.GetUtcNow() - _gatewayStartedAt, Random.Shared.NextDouble()));
        return probed;
    }

    private void OnResult(Probed probed, ProbeResult result)
    {
        lock (_lock)
        {
            if (probed.Stopped)
            {
                return;
            }

            probed.Ready = result == ProbeResult.Success;
        }

        _changed();
    }

    private async Task StopAsync(Probed probed)
    {
        lock (_lock)
        {
            probed.Stopped = true;
        }

        await probed.Worker.DisposeAsync();
        _observer?.Removed(probed.Subject);
    }

    public async ValueTask DisposeAsync()
    {
        List<Probed> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _endpoints.Values];
            _endpoints.Clear();
        }

        await Task.WhenAll(all.Select(StopAsync));
    }

    /// <summary>One endpoint and its worker; <see cref="Ready"/> and <see cref="Stopped"/> under the set's lock.</summary>
    private sealed class Probed(ProbedEndpoint endpoint, ProbeSubject subject)
    {
        public ProbedEndpoint Endpoint { get; } = endpoint;

        public ProbeSubject Subject { get; } = subject;

        public ProbeWorker Worker { get; set; } = null!;

        public bool Ready { get; set; } = ProbeResultCounter.InitialValue(ProbeKind.Readiness) == ProbeResult.Success;

        // Read without the lock by the worker's view of its instance.
        public volatile bool Stopped;
    }
}
