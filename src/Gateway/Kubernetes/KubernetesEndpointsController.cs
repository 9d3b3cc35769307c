using System.Threading.Channels;
using Gateway.Events;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Specs;
using k8s;

namespace Gateway.Kubernetes;

/// <summary>
/// Runs one <see cref="EndpointSliceWatcher"/> per service whose Runtime is Kubernetes, and follows
/// configuration reloads: a service added gets a watcher, one removed (or changed) has its watcher
/// stopped and its endpoints dropped. The cluster client is made when the first such service appears.
/// </summary>
internal sealed class KubernetesEndpointsController(
    ServiceCatalog catalog, EndpointTable endpoints, GatewayStatus status,
    EventRecorder events, IProber prober, TimeProvider time, ILogger<KubernetesEndpointsController> logger, IProbeObserver? observer = null) : BackgroundService
{
    private readonly Dictionary<string, Running> _watchers = new(StringComparer.Ordinal);
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private k8s.Kubernetes? _client;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        catalog.Changed += _ => _changed.Writer.TryWrite(true);
        _changed.Writer.TryWrite(true);
        try
        {
            while (await _changed.Reader.WaitToReadAsync(stoppingToken))
            {
                _changed.Reader.TryRead(out _);
                await ReconcileAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_watchers.Keys.ToList().Select(StopAsync));
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var wanted = catalog.Current.Services.Where(s => s.Backend is ClusterBackend).ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var name in _watchers.Keys.ToList())
        {
            if (!wanted.TryGetValue(name, out var spec) || !Equals(spec.Backend, _watchers[name].Spec.Backend))
            {
                await StopAsync(name);
                endpoints.SetServiceEndpoints(name, []);
            }
        }

        foreach (var service in wanted.Values.Where(s => !_watchers.ContainsKey(s.Name)))
        {
            if (Client() is not { } client)
            {
                return;
            }

            var watcher = new EndpointSliceWatcher(service, client, endpoints, status, events, prober, time, _startedAt, observer, logger);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lock (_watchers)
            {
                _watchers[service.Name] = new Running(service, watcher, stop, watcher.RunAsync(stop.Token));
            }
        }
    }

    /// <summary>The proxy could not connect to an endpoint of <paramref name="service"/>: its gateway-side probe runs now.</summary>
    public void Recheck(string service, string key)
    {
        lock (_watchers)
        {
            if (_watchers.TryGetValue(service, out var running))
            {
                running.Watcher.Recheck(key);
            }
        }
    }

    private k8s.Kubernetes? Client()
    {
        if (_client is null)
        {
            var config = KubernetesClientFactory.Configure(catalog.Current.Kubeconfig, out var error);
            if (config is null)
            {
                status.SetProblem("kubernetes", error);
                return null;
            }

            _client = new k8s.Kubernetes(config);
        }

        return _client;
    }

    private async Task StopAsync(string name)
    {
        Running? running;
        lock (_watchers)
        {
            // Written on the reconcile loop only; locked against Recheck, which comes from requests.
            _watchers.Remove(name, out running);
        }

        if (running is not null)
        {
            await running.Stop.CancelAsync();
            try
            {
                await running.Run;
            }
            catch (OperationCanceledException)
            {
            }

            await running.Watcher.DisposeAsync();
            running.Stop.Dispose();
        }
    }

    public override void Dispose()
    {
        _client?.Dispose();
        base.Dispose();
    }

    private sealed record Running(ServiceSpec Spec, EndpointSliceWatcher Watcher, CancellationTokenSource Stop, Task Run);
}
