using System.Threading.Channels;
using Gateway.Events;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;

namespace Gateway.Static;

/// <summary>
/// The controller of Static backends: each service's fixed addresses become its endpoints, ready
/// when its readiness probe passes (at once when it has none), and nothing is ever restarted. Follows
/// configuration reloads: an address added is probed from readiness' initial value, one removed
/// leaves routing, a changed probe starts every address over.
/// </summary>
internal sealed class StaticEndpointsController(
    ServiceCatalog catalog, EndpointTable endpoints, EventRecorder events, IProber prober, TimeProvider time,
    IProbeObserver? observer = null) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly Dictionary<string, Running> _services = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The endpoint's address key: the address as its URL's authority, <c>127.0.0.1:5001</c>.</summary>
    public static string Key(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Authority;
    }

    /// <summary>The proxy could not connect to an endpoint of <paramref name="service"/>: its probe runs now.</summary>
    public void Recheck(string service, string key)
    {
        lock (_lock)
        {
            if (_services.TryGetValue(service, out var running))
            {
                running.Probes?.Recheck(key);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        catalog.Changed += OnCatalogChanged;
        _changed.Writer.TryWrite(true);
        try
        {
            while (await _changed.Reader.WaitToReadAsync(stoppingToken))
            {
                _changed.Reader.TryRead(out _);
                await ReconcileAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            catalog.Changed -= OnCatalogChanged;
            List<Running> all;
            lock (_lock)
            {
                all = [.. _services.Values];
                _services.Clear();
            }

            await Task.WhenAll(all.Select(r => r.Probes?.DisposeAsync().AsTask() ?? Task.CompletedTask));
        }
    }

    private void OnCatalogChanged(GatewaySpec spec) => _changed.Writer.TryWrite(true);

    private async Task ReconcileAsync()
    {
        var wanted = catalog.Current.Services.Where(s => s.Backend is StaticBackend).ToDictionary(s => s.Name, s => (StaticBackend)s.Backend, StringComparer.Ordinal);
        var stopped = new List<Task>();
        var publish = new List<Running>();
        lock (_lock)
        {
            foreach (var (name, running) in _services.ToList())
            {
                if (!wanted.TryGetValue(name, out var backend) || backend with { Addresses = running.Backend.Addresses } != running.Backend)
                {
                    // Begun under the lock: its workers are stopped before any new ones start.
                    _services.Remove(name);
                    if (running.Probes is not null)
                    {
                        stopped.Add(running.Probes.DisposeAsync().AsTask());
                    }

                    endpoints.SetServiceEndpoints(name, []);
                }
            }

            foreach (var (name, backend) in wanted)
            {
                if (!_services.TryGetValue(name, out var running))
                {
                    running = new Running(name);
                    running.Probes = backend.ReadinessProbe is { } probe
                        ? new EndpointProbes(probe, "default", name, "static", prober, time, _startedAt, events, observer, () => Publish(name))
                        : null;
                    _services[name] = running;
                }

                running.Backend = backend;
                publish.Add(running);
            }
        }

        foreach (var running in publish)
        {
            running.Probes?.Sync(running.Backend.Addresses.Select(a => new ProbedEndpoint(Key(a), Key(a), a.DnsSafeHost, a.Port, StaticBackend.PortName)));
            Publish(running.Name);
        }

        await Task.WhenAll(stopped);
    }

    /// <summary>Hands the service's endpoints, with their readiness, to routing.</summary>
    private void Publish(string service)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(service, out var running) || running.Backend is not { } backend)
            {
                return;
            }

            // Under the lock, so that a probe result and a reload publish in the order they happened.
            endpoints.SetServiceEndpoints(service, backend.Addresses.Select(address =>
            {
                var key = Key(address);
                return new Routing.Endpoint(service, key, Routing.Endpoint.ExternalDestinationId(service, key), address.GetLeftPart(UriPartial.Authority),
                    Serving: running.Probes?.IsReady(key) ?? true, Terminating: false, HasPod: false);
            }));
        }
    }

    private sealed class Running(string name)
    {
        public string Name { get; } = name;

        public StaticBackend Backend { get; set; } = null!;

        public EndpointProbes? Probes { get; set; }
    }
}
