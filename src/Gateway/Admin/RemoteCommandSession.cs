using System.Buffers;
using System.Net.WebSockets;
using Gateway.Runtimes;

namespace Gateway.Admin;

/// <summary>
/// One <c>kubectl exec</c> over an accepted WebSocket: the client's messages go to the command
/// (stdin, resize, v5's close of stdin), the command's output comes back on its channels, and once
/// the command has ended and all of its output is sent, its exit as a <c>Status</c> on the error
/// channel, then a normal close, on which kubectl returns. A client that goes away ends the command.
/// </summary>
/// <remarks>
/// A WebSocket allows one send and one receive at a time: sends (two output pumps and the status)
/// take <see cref="_sending"/>; one loop receives.
/// </remarks>
internal sealed partial class RemoteCommandSession(WebSocket socket, string protocol, ILogger logger) : IDisposable
{
    /// <summary>How long the client has to answer the close before the connection is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _gone = new();

    /// <summary>
    /// Runs <paramref name="request"/> on <paramref name="target"/> to its end, or until the client
    /// goes away. When the container exits first (<paramref name="containerExited"/>), the command
    /// ends with it, as an exec'd process dies with its container's cgroup.
    /// </summary>
    public async Task RunAsync(IInteractiveExec target, PodExecRequest request, Task containerExited, CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _gone.Token);
        IExecSession session;
        try
        {
            session = await target.StartExecAsync(request.Spec, (stream, data, ct) => OutputAsync(request, stream, data), linked.Token);
        }
        catch (ExecStartException e)
        {
            Log.StartFailed(logger, string.Join(' ', request.Spec.Command), request.Container, e.Message);
            await SendAsync(RemoteCommandProtocol.Error, RemoteCommandProtocol.StartFailure(e.Message));
            await CloseAsync(receiving: null);
            return;
        }

        await using (session)
        {
            var receiving = ReceiveAsync(session, linked.Token);
            try
            {
                var ended = await Task.WhenAny(session.Completion, receiving, containerExited);
                if (ended == containerExited && !session.Completion.IsCompleted)
                {
                    await session.DisposeAsync();
                    ended = session.Completion.IsCompleted ? session.Completion : receiving;
                }

                if (ended != session.Completion || _gone.IsCancellationRequested)
                {
                    // The client left first (or the connection broke): disposing the session ends the command.
                    return;
                }

                await SendAsync(RemoteCommandProtocol.Error, RemoteCommandProtocol.ExitStatus(await session.Completion));
                await CloseAsync(receiving);
            }
            finally
            {
                // Nothing reads the socket once the request ends: a client that has not closed is cut off here.
                await linked.CancelAsync();
                await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private ValueTask OutputAsync(PodExecRequest request, ExecStream stream, ReadOnlyMemory<byte> data)
    {
        var wanted = stream == ExecStream.Stdout ? request.Stdout : request.Stderr;
        return wanted ? new ValueTask(SendAsync(stream == ExecStream.Stdout ? RemoteCommandProtocol.Stdout : RemoteCommandProtocol.Stderr, data)) : ValueTask.CompletedTask;
    }

    /// <summary>Sends one message; a connection that has broken ends the session instead of throwing into the command's output pump.</summary>
    private async Task SendAsync(byte channel, ReadOnlyMemory<byte> data)
    {
        if (_gone.IsCancellationRequested)
        {
            return;
        }

        await _sending.WaitAsync();
        try
        {
            await socket.SendAsync(RemoteCommandProtocol.Frame(channel, data.Span), WebSocketMessageType.Binary, endOfMessage: true, _gone.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            await _gone.CancelAsync();
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Receives the client's messages until it closes, then returns; applies each one to <paramref name="session"/>.</summary>
    private async Task ReceiveAsync(IExecSession session, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer.AsSpan(0, received.Count));
                if (!received.EndOfMessage)
                {
                    continue;
                }

                switch (RemoteCommandProtocol.Parse(message.WrittenMemory.ToArray(), protocol))
                {
                    case ClientMessage.Input input:
                        await session.WriteStdinAsync(input.Data, cancellationToken);
                        break;
                    case ClientMessage.Resized resized:
                        await session.ResizeAsync(resized.Size, cancellationToken);
                        break;
                    case ClientMessage.Closed { Channel: RemoteCommandProtocol.Stdin }:
                        await session.CloseStdinAsync();
                        break;
                    case ClientMessage.Ignored ignored:
                        Log.Ignored(logger, ignored.Why);
                        break;
                }

                message.Clear();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection broke: kubectl was interrupted, or its network went.
            await _gone.CancelAsync();
        }
    }

    /// <summary>A normal close, so that kubectl's readers end at once; waits briefly for the client's answer (which <paramref name="receiving"/> reads).</summary>
    private async Task CloseAsync(Task? receiving)
    {
        try
        {
            await _sending.WaitAsync();
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(CloseTimeout);
            }
            finally
            {
                _sending.Release();
            }

            if (receiving is not null)
            {
                await receiving.WaitAsync(CloseTimeout);
            }
            else
            {
                // Nothing else reads: read the client's close (or its hang-up) here.
                await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(CloseTimeout);
            }
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or ObjectDisposedException or IOException)
        {
            // The client hung up without a close of its own: the request ends here either way.
        }
    }

    public void Dispose()
    {
        _sending.Dispose();
        _gone.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1341, Level = LogLevel.Information, Message = "exec of {Command} in container {Container} could not start: {Reason}")]
        public static partial void StartFailed(ILogger logger, string command, string container, string reason);

        [LoggerMessage(EventId = 1342, Level = LogLevel.Debug, Message = "exec: ignored {Why}")]
        public static partial void Ignored(ILogger logger, string why);
    }
}
