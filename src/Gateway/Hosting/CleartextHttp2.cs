using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>
/// HTTP/1.1 and h2c (HTTP/2 with prior knowledge, RFC 9113 §3.3) on the same cleartext listener, as
/// Envoy and nginx (<c>listen ... http2</c>) serve them: Kestrel picks HTTP/2 only by ALPN, so on
/// a cleartext endpoint it always speaks HTTP/1.1 and answers a gRPC client's preface with
/// <c>HTTP_1_1_REQUIRED</c> (dotnet/aspnetcore#56984). This connection middleware looks at the
/// first bytes without consuming them: the 24-byte client preface selects HTTP/2 for that
/// connection; anything else leaves Kestrel's choice (HTTP/1.1, or ALPN's on TLS), and the bytes
/// stay in place for the protocol chosen.
/// The choice is handed to Kestrel through its per-connection protocols feature, the one its TLS
/// middleware sets from SNI settings; the type is internal, so it is found once by name and, if
/// a future Kestrel lacks it, the listener stays HTTP/1.1 only (<see cref="IsAvailable"/>) and
/// the gateway says so at start.
/// </summary>
internal static class CleartextHttp2
{
    /// <summary>The client connection preface: <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>.</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private static readonly Type? ProtocolsFeature = typeof(KestrelServerOptions).Assembly
        .GetType("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.HttpProtocolsFeature", throwOnError: false);

    private static readonly object? Http2 = ProtocolsFeature?
        .GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(HttpProtocols)])?.Invoke([HttpProtocols.Http2]);

    /// <summary>Whether this Kestrel lets a connection's protocol be chosen (it has since ASP.NET Core 6).</summary>
    public static bool IsAvailable => Http2 is not null;

    /// <summary>What the first bytes say: HTTP/2, HTTP/1.x, or not enough bytes yet to tell.</summary>
    public static HttpProtocols? Detect(ReadOnlySequence<byte> start)
    {
        var preface = Preface;
        var length = (int)Math.Min(start.Length, preface.Length);
        Span<byte> head = stackalloc byte[24];
        start.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(preface[..length]))
        {
            return HttpProtocols.Http1;
        }

        return length == preface.Length ? HttpProtocols.Http2 : null;
    }

    /// <summary>
    /// Installs the detection on <paramref name="listen"/> when it serves both protocols in
    /// cleartext; TLS endpoints are left to ALPN. <paramref name="idleTimeout"/> bounds the wait
    /// for a client's first bytes, as Kestrel's keep-alive timeout would.
    /// </summary>
    public static void Use(ListenOptions listen, TimeSpan idleTimeout)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (!IsAvailable || !listen.Protocols.HasFlag(HttpProtocols.Http1) || !listen.Protocols.HasFlag(HttpProtocols.Http2))
        {
            return;
        }

        listen.Use(next => connection => SelectAsync(connection, next, idleTimeout));
    }

    private static async Task SelectAsync(ConnectionContext connection, ConnectionDelegate next, TimeSpan idleTimeout)
    {
        HttpProtocols protocol;
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            idle.CancelAfter(idleTimeout);
            try
            {
                protocol = await PeekAsync(connection.Transport.Input, idle.Token);
            }
            catch (OperationCanceledException)
            {
                // Nothing came before the idle timeout, or the client left: as Kestrel ends an idle connection.
                connection.Abort();
                return;
            }
        }

        // Only the preface changes anything: other bytes (an HTTP/1.x request, or a TLS ClientHello when
        // this runs before the TLS middleware) leave Kestrel's own choice, HTTP/1.1 or ALPN's.
        if (protocol == HttpProtocols.Http2)
        {
            connection.Features[ProtocolsFeature!] = Http2;
        }

        await next(connection);
    }

    /// <summary>Reads until the first bytes decide, consuming none of them; HTTP/1.1 when the connection ended first.</summary>
    private static async Task<HttpProtocols> PeekAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            if (Detect(read.Buffer) is { } decided)
            {
                // Nothing consumed and nothing examined: the protocol's reader gets these bytes at once.
                input.AdvanceTo(read.Buffer.Start);
                return decided;
            }

            // Too few bytes to tell: all of them examined, so that the next read waits for more.
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);

            if (read.IsCompleted || read.IsCanceled)
            {
                return HttpProtocols.Http1;
            }
        }
    }
}
