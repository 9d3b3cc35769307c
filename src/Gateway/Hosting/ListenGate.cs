using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Hosting;

/// <summary>
/// Holds back the proxy's accepts until <see cref="Open"/>. A gateway started by a hand-over binds
/// its listeners at start (so the host starts, and with it its pods), but must not answer a request
/// before its services are ready: until then the previous gateway, which shares the same sockets,
/// accepts every connection, and one the new gateway took would get 503. Once open, accepts go
/// straight to Kestrel's own socket transport.
/// </summary>
internal sealed class ListenGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ListenGate(bool open)
    {
        if (open)
        {
            Open();
        }
    }

    public bool IsOpen => _open.Task.IsCompleted;

    public void Open() => _open.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);
}

/// <summary>Kestrel's socket transport with every accept waiting for <see cref="ListenGate"/> first.</summary>
internal sealed class GatedTransportFactory(IConnectionListenerFactory inner, ListenGate gate) : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new GatedListener(await inner.BindAsync(endpoint, cancellationToken), gate);

    private sealed class GatedListener(IConnectionListener inner, ListenGate gate) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            if (!gate.IsOpen)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token);
                try
                {
                    await gate.WaitAsync(either.Token);
                }
                catch (OperationCanceledException) when (_unbound.IsCancellationRequested)
                {
                    return null; // unbound before the gate opened: Kestrel's accept loop ends
                }
            }

            return await inner.AcceptAsync(cancellationToken);
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            await _unbound.CancelAsync();
            await inner.UnbindAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            _unbound.Dispose();
            await inner.DisposeAsync();
        }
    }
}
