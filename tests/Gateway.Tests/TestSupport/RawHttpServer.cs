using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A one-request HTTP server on a bare <see cref="TcpListener"/> that keeps the request exactly as
/// it came over the wire, so tests can check header lines and their order.
/// </summary>
internal sealed class RawHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task<string> _request;

    public RawHttpServer()
    {
        _listener.Start();
        _request = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The request's header lines, the request line first.</summary>
    public async Task<IReadOnlyList<string>> RequestLinesAsync()
    {
        var request = await _request.WaitAsync(TimeSpan.FromSeconds(5));
        return request.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    public void Dispose() => _listener.Stop();

    private async Task<string> AcceptAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        return received.ToString();
    }
}
