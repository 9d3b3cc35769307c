using System.Net.Sockets;
using k8s.Models;

namespace Gateway.Probes.Handlers;

/// <summary>tcpSocket: a connect within the timeout is success; the connection is closed at once.</summary>
internal sealed class TcpSocketProbe(TimeProvider timeProvider)
{
    public async Task<ProbeOutcome> ProbeAsync(V1TCPSocketAction action, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (ProbeAddress.ResolvePort(action.Port?.Value, target) is not int port)
        {
            return ProbeOutcome.Error(ProbeAddress.PortNotFound(action.Port?.Value));
        }

        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp : action.Host;
        var address = ProbeAddress.JoinHostPort(host, port);
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            using var socket = await ProbeAddress.ConnectAsync(host, port, linked.Token);
            return ProbeOutcome.Success();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Failure($"dial tcp {address}: i/o timeout");
        }
        catch (SocketException exception)
        {
            return ProbeOutcome.Failure(ProbeAddress.DialError(address, exception));
        }
    }
}
