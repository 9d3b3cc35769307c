using Gateway.Probes;
using Gateway.Runtimes;
using k8s.Models;
using Gateway.Specs;

namespace Gateway.Kubernetes;

/// <summary>
/// The gateway-side readiness probe of one Kubernetes service: one small loop per endpoint, with
/// the kubelet's thresholds, so that a pod the gateway cannot reach is out even when its kubelet
/// says Ready. A new endpoint starts not ready (readiness' initial value) until its first success.
/// </summary>
/// <param name="portName">The service's <c>Port</c> when it is a name, so that the probe may name it too.</param>
internal sealed class EndpointProber(V1Probe probe, string? portName, IProber prober, TimeProvider time, Action changed) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);

    /// <summary>Whether the endpoint's gateway-side probe has succeeded (false for an endpoint not probed yet).</summary>
    public bool IsReady(string key)
    {
        lock (_lock)
        {
            return _workers.TryGetValue(key, out var worker) && worker.Ready;
        }
    }

    /// <summary>Starts a worker for each new endpoint and stops those of endpoints that are gone.</summary>
    public void Sync(IEnumerable<ClusterEndpoint> endpoints)
    {
        lock (_lock)
        {
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var endpoint in endpoints)
            {
                keep.Add(endpoint.Key);
                if (!_workers.ContainsKey(endpoint.Key))
                {
                    var worker = new Worker(endpoint);
                    _workers.Add(endpoint.Key, worker);
                    worker.Loop = RunAsync(worker);
                }
            }

            foreach (var gone in _workers.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _workers.Remove(gone, out var worker);
                worker!.Stop.Cancel();
            }
        }
    }

    private async Task RunAsync(Worker worker)
    {
        var target = new ProbeTarget
        {
            PodIp = worker.Endpoint.Host,
            Ports = [new PortMapping(portName, worker.Endpoint.Port, worker.Endpoint.Port)],
            Exec = (_, _, _) => throw new NotSupportedException("exec probes do not reach a cluster's pods"),
        };
        var counter = new ProbeResultCounter(ProbeKind.Readiness, probe.SuccessThreshold ?? 1, probe.FailureThreshold ?? 3);
        var token = worker.Stop.Token;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(probe.InitialDelaySeconds ?? 0), time, token);
            while (!token.IsCancellationRequested)
            {
                var outcome = await prober.ProbeAsync(probe, target, token);
                if (!outcome.IsError && counter.Observe(outcome.Result))
                {
                    lock (_lock)
                    {
                        worker.Ready = counter.Result == ProbeResult.Success;
                    }

                    changed();
                }

                await Task.Delay(TimeSpan.FromSeconds(probe.PeriodSeconds ?? 10), time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            worker.Stop.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var worker in _workers.Values)
            {
                worker.Stop.Cancel();
            }

            _workers.Clear();
        }
    }

    private sealed class Worker(ClusterEndpoint endpoint)
    {
        public ClusterEndpoint Endpoint { get; } = endpoint;

        public CancellationTokenSource Stop { get; } = new();

        public bool Ready { get; set; }

        public Task? Loop { get; set; }
    }
}
