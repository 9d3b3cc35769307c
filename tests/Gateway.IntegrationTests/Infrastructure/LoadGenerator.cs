using System.Collections.Concurrent;
using System.Net;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A bounded load of several concurrent clients on keep-alive connections; counts every request and
/// every failure (a non-2xx answer or a transport error), keeping the first few for the message.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly HttpClient _http;
    private long _sent;
    private long _failed;
    private readonly bool _newConnections;

    /// <param name="newConnections">Every request on a new connection (<c>Connection: close</c>): a refused or reset connection is a failure.</param>
    public LoadGenerator(Uri baseAddress, int clients = 4, string path = "/", TimeSpan? maxDuration = null, bool newConnections = false)
    {
        _newConnections = newConnections;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = newConnections ? TimeSpan.Zero : TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _stop.CancelAfter(maxDuration ?? TimeSpan.FromSeconds(120));
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => RunAsync(path)))];
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    public string FailureSample => string.Join("\n", _failures.Take(10));

    private async Task RunAsync(string path)
    {
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _sent);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.ConnectionClose = _newConnections ? true : null;
                using var response = await _http.SendAsync(request, _stop.Token);
                await response.Content.ReadAsStringAsync(_stop.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode} {response.ReasonPhrase}");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _sent);
            }
            catch (HttpRequestException e)
            {
                Fail($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Message}");
            }
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < 10)
        {
            _failures.Enqueue(what);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> more requests went through.</summary>
    public Task WaitForMoreAsync(long count)
    {
        var target = Sent + count;
        return Poll.UntilAsync(() => Task.FromResult(Sent >= target), $"{count} more requests under load");
    }

    /// <summary>Stops the clients and returns (sent, failed).</summary>
    public async Task<(long Sent, long Failed)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        return (Sent, Failed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
