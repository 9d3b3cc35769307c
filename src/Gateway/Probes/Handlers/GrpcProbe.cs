using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using k8s.Models;

namespace Gateway.Probes.Handlers;

/// <summary>
/// grpc: <c>grpc.health.v1.Health/Check</c> over plaintext HTTP/2 with one deadline for connect and
/// call; only <c>SERVING</c> is success.
/// </summary>
internal sealed class GrpcProbe : IDisposable
{
    /// <summary>Channels kept at most; past this the cache is emptied and refilled on use.</summary>
    public const int MaxChannels = 256;

    private readonly TimeProvider _timeProvider;

    // All channels share one HttpClient, so a channel holds no connection of its own: dropping one
    // from the cache needs no dispose, and a probe still using it is not cut off.
    private readonly HttpClient _httpClient;
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public GrpcProbe(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            // A restarted server on the same port gets a fresh connection soon after.
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null,
            ConnectCallback = Runtimes.PodNetworks.ConnectCallback, // a pod IP's in the pod's network namespace
        };
        _httpClient = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<ProbeOutcome> ProbeAsync(V1GRPCAction action, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (target.ResolvePort(action.Port.ToString(CultureInfo.InvariantCulture)) is not int port || port is <= 0 or > 65535)
        {
            return ProbeOutcome.Error(ProbeAddress.PortNotFound(action.Port.ToString(CultureInfo.InvariantCulture)));
        }

        var address = ProbeAddress.JoinHostPort(target.PodIp, port);
        var client = new Health.HealthClient(Channel(address));
        var deadline = _timeProvider.GetUtcNow().UtcDateTime + timeout;
        HealthCheckResponse response;
        try
        {
            response = await client.CheckAsync(
                new HealthCheckRequest { Service = action.Service ?? string.Empty },
                deadline: deadline,
                cancellationToken: cancellationToken);
        }
        catch (RpcException exception)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ProbeOutcome.Failure(exception.StatusCode switch
            {
                StatusCode.Unimplemented => $"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {exception.Status.Detail}",
                StatusCode.DeadlineExceeded => $"timeout: health rpc did not complete within {timeout.TotalSeconds:0.###}s",
                StatusCode.Unavailable => $"error: failed to connect service at \"{address}\": {exception.Status.Detail}",
                _ => $"error: health rpc probe failed: {exception.Status}",
            });
        }

        if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving)
        {
            return ProbeOutcome.Failure($"service unhealthy (responded with \"{StatusName(response.Status)}\")");
        }

        return ProbeOutcome.Success("service is serving");
    }

    public void Dispose()
    {
        _channels.Clear();
        _httpClient.Dispose();
    }

    private GrpcChannel Channel(string address)
    {
        if (_channels.TryGetValue(address, out var channel))
        {
            return channel;
        }

        if (_channels.Count >= MaxChannels)
        {
            _channels.Clear();
        }

        return _channels.GetOrAdd(address, static (key, httpClient) => GrpcChannel.ForAddress(
            "http://" + key,
            new GrpcChannelOptions { HttpClient = httpClient, DisposeHttpClient = false }), _httpClient);
    }

    /// <summary>The proto name (<c>NOT_SERVING</c>), as the kubelet prints it.</summary>
    private static string StatusName(HealthCheckResponse.Types.ServingStatus status) =>
        HealthCheckResponse.Descriptor.EnumTypes[0].FindValueByNumber((int)status)?.Name
        ?? ((int)status).ToString(CultureInfo.InvariantCulture);
}
