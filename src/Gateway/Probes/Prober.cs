using Gateway.Probes.Handlers;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Probes;

/// <summary>
/// Picks the probe's handler (exec, httpGet, tcpSocket, grpc, in the kubelet's order) and retries
/// a run that could not happen, as the kubelet's <c>runProbeWithRetries</c> does.
/// </summary>
internal sealed class Prober : IProber, IDisposable
{
    /// <summary>exec, httpGet, tcpSocket or grpc: the handler the prober picks, in the kubelet's order.</summary>
    public static string HandlerName(V1Probe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return probe.Exec is not null ? "exec" : probe.HttpGet is not null ? "httpGet" : probe.TcpSocket is not null ? "tcpSocket" : probe.Grpc is not null ? "grpc" : "none";
    }

    /// <summary>Attempts per tick for a probe that errors (kubelet's <c>maxProbeRetries</c>).</summary>
    public const int MaxAttempts = 3;

    private readonly HttpGetProbe _httpGet;
    private readonly TcpSocketProbe _tcpSocket;
    // Made at the first grpc probe: Grpc.Net.Client and Protobuf load only for a gateway that has one.
    private readonly Lazy<GrpcProbe> _grpc;

    public Prober(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpGet = new HttpGetProbe(timeProvider);
        _tcpSocket = new TcpSocketProbe(timeProvider);
        _grpc = new Lazy<GrpcProbe>(() => new GrpcProbe(timeProvider));
    }

    public async Task<ProbeOutcome> ProbeAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(target);
        var outcome = default(ProbeOutcome);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                outcome = await RunOnceAsync(probe, target, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A handler that throws could not run the probe: an error, retried and then discarded,
                // never a dead prober worker.
                outcome = ProbeOutcome.Error($"probe could not run: {exception.Message}");
            }

            if (!outcome.IsError)
            {
                break;
            }
        }

        return outcome;
    }

    /// <summary>The probe's <c>timeoutSeconds</c>, defaulted as the API server does.</summary>
    public static TimeSpan Timeout(V1Probe probe) =>
        TimeSpan.FromSeconds(probe.TimeoutSeconds is int seconds && seconds > 0 ? seconds : PodSpecDefaults.TimeoutSeconds);

    public void Dispose()
    {
        _httpGet.Dispose();
        if (_grpc.IsValueCreated)
        {
            _grpc.Value.Dispose();
        }
    }

    private Task<ProbeOutcome> RunOnceAsync(V1Probe probe, ProbeTarget target, CancellationToken cancellationToken)
    {
        var timeout = Timeout(probe);
        if (probe.Exec is { } exec)
        {
            return ExecProbe.ProbeAsync(exec, target, timeout, cancellationToken);
        }

        if (probe.HttpGet is { } httpGet)
        {
            return _httpGet.ProbeAsync(httpGet, target, timeout, cancellationToken);
        }

        if (probe.TcpSocket is { } tcpSocket)
        {
            return _tcpSocket.ProbeAsync(tcpSocket, target, timeout, cancellationToken);
        }

        if (probe.Grpc is { } grpc)
        {
            return _grpc.Value.ProbeAsync(grpc, target, timeout, cancellationToken);
        }

        return Task.FromResult(ProbeOutcome.Error("probe has no handler: set exec, httpGet, tcpSocket or grpc"));
    }
}
