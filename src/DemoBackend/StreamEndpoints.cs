using System.Net.WebSockets;

namespace DemoBackend;

/// <summary>
/// The long-lived endpoints, for tests of what a proxy does to them: a WebSocket echo and a
/// Server-Sent Events stream whose events are flushed one by one, as a real event source sends them.
/// </summary>
internal static class StreamEndpoints
{
    /// <summary>The largest WebSocket frame read at once; longer messages are echoed in pieces, in order.</summary>
    private const int BufferBytes = 16 * 1024;

    public static void MapStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", EchoWebSocketAsync);
        app.MapGet("/sse", EventStreamAsync);
    }

    /// <summary>Every message back as it came (text or binary), until the client closes; then the close handshake.</summary>
    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Text("/ws is a WebSocket echo: send an upgrade (HTTP/1.1) or an extended CONNECT (HTTP/2)\n", statusCode: 400).ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[BufferBytes];
        var aborted = context.RequestAborted;
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), aborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, aborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, aborted);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client (or a proxy in between) went away without a close: nothing is left to answer.
        }
    }

    /// <summary><c>text/event-stream</c>: <c>data: 1</c> at once, then one more every <paramref name="intervalMs"/>, each flushed, up to <paramref name="count"/>.</summary>
    private static async Task EventStreamAsync(HttpContext context, TimeProvider time, int count = 10, int intervalMs = 1000)
    {
        if (count < 0 || intervalMs < 0)
        {
            await Results.Text("count and intervalMs must be 0 or more\n", statusCode: 400).ExecuteAsync(context);
            return;
        }

        var aborted = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await context.Response.StartAsync(aborted);
            for (var n = 1; n <= count; n++)
            {
                if (n > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(intervalMs), time, aborted);
                }

                await context.Response.WriteAsync($"data: {n}\n\n", aborted);
                await context.Response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left mid-stream.
        }
    }
}
