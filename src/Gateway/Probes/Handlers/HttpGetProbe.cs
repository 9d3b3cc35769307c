using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s.Models;

namespace Gateway.Probes.Handlers;

/// <summary>
/// httpGet, as the kubelet's <c>pkg/probe/http</c> does it: no keep-alive, no proxy, no
/// compression, certificate checks off, same-host redirects followed (fewer than 10), a redirect to
/// another host not followed and reported as success with a warning, 200-399 success, and at most
/// 10 KiB of the body read, all within one timeout.
/// </summary>
internal sealed class HttpGetProbe : IDisposable
{
    /// <summary>The kubelet version this gateway behaves like; probes identify as <c>kube-probe/&lt;major&gt;.&lt;minor&gt;</c>.</summary>
    public const string UserAgent = "kube-probe/1.32";

    /// <summary>Redirects followed at most; the one after is refused (Go's default client policy).</summary>
    public const int MaxRedirects = 10;

    private readonly TimeProvider _timeProvider;

    // One handler for every probe: a handler per probe would cost far more than the probe itself.
    // Connection: close means no connection is ever pooled, so sharing it shares no state.
    private readonly HttpMessageInvoker _invoker;

    public HttpGetProbe(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromSeconds(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1),
            ActivityHeadersPropagator = null,
            ConnectCallback = ConnectAsync,
            SslOptions =
            {
                // Probes skip certificate checks, as the kubelet's InsecureSkipVerify does.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            },
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task<ProbeOutcome> ProbeAsync(V1HTTPGetAction action, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var scheme = string.IsNullOrEmpty(action.Scheme) ? "http" : action.Scheme.ToLowerInvariant();
        if (ProbeAddress.ResolvePort(action.Port?.Value, target) is not int port)
        {
            return ProbeOutcome.Error(ProbeAddress.PortNotFound(action.Port?.Value));
        }

        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp : action.Host;
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path;
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var text = $"{scheme}://{ProbeAddress.JoinHostPort(host, port)}{path}";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            return ProbeOutcome.Error($"invalid probe URL {text}");
        }

        if (scheme is not ("http" or "https"))
        {
            return ProbeOutcome.Failure($"Get \"{text}\": unsupported protocol scheme \"{scheme}\"");
        }

        // One token source for the deadline and the caller's cancellation, not a second linked one per probe.
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var stopping = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
        try
        {
            return await GetAsync(url, action.HttpHeaders, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Failure($"Get \"{text}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException exception)
        {
            return ProbeOutcome.Failure($"Get \"{text}\": {Describe(exception, url)}");
        }
        catch (IOException exception)
        {
            return ProbeOutcome.Failure($"Get \"{text}\": {exception.Message}");
        }
    }

    public void Dispose() => _invoker.Dispose();

    private async Task<ProbeOutcome> GetAsync(Uri url, IList<V1HTTPHeader>? headers, CancellationToken cancellationToken)
    {
        var hostHeader = HostHeader(headers);
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            using var request = CreateRequest(current, headers, hostHeader);
            using var response = await _invoker.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (IsFollowable(status) && response.Headers.Location is { } location)
            {
                var next = new Uri(current, location);
                if (next.Scheme is not ("http" or "https"))
                {
                    return ProbeOutcome.Failure($"Get \"{next}\": unsupported protocol scheme \"{next.Scheme}\"");
                }

                if (!string.Equals(next.Host, url.Host, StringComparison.OrdinalIgnoreCase))
                {
                    // Another host: not followed; this response is the answer (Go's ErrUseLastResponse).
                    return await ReadAsync(response, status, cancellationToken);
                }

                if (redirects + 1 >= MaxRedirects)
                {
                    return ProbeOutcome.Failure($"Get \"{next}\": stopped after {MaxRedirects} redirects");
                }

                // Go keeps a custom Host only while the Location is relative.
                if (location.IsAbsoluteUri)
                {
                    hostHeader = null;
                }

                current = next;
                continue;
            }

            return await ReadAsync(response, status, cancellationToken);
        }
    }

    private static async Task<ProbeOutcome> ReadAsync(HttpResponseMessage response, int status, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response.Content, cancellationToken);
        if (status is >= 200 and < 300)
        {
            return ProbeOutcome.Success(body);
        }

        if (status is >= 300 and < 400)
        {
            return ProbeOutcome.Success(body, $"Probe terminated redirects, Response body: {body}");
        }

        // Like the kubelet, the failure message leaves the body out (kubernetes issue 99425).
        return ProbeOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"HTTP probe failed with statuscode: {status}"));
    }

    private static async Task<string> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ProbeOutput.MaxBytes);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            var length = 0;
            while (length < ProbeOutput.MaxBytes)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length, ProbeOutput.MaxBytes - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static HttpRequestMessage CreateRequest(Uri url, IList<V1HTTPHeader>? headers, string? hostHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        var requestHeaders = request.Headers;
        requestHeaders.ConnectionClose = true;
        var userAgentSet = false;
        var acceptSet = false;
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                if (string.IsNullOrEmpty(header?.Name) || IsHost(header.Name))
                {
                    continue;
                }

                var value = header.Value ?? string.Empty;
                if (IsHeader(header.Name, "User-Agent"))
                {
                    userAgentSet = true;
                    if (value.Length == 0)
                    {
                        continue;
                    }
                }
                else if (IsHeader(header.Name, "Accept"))
                {
                    acceptSet = true;
                    if (value.Length == 0)
                    {
                        continue;
                    }
                }

                requestHeaders.TryAddWithoutValidation(header.Name, value);
            }
        }

        if (!userAgentSet)
        {
            requestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
        }

        if (!acceptSet)
        {
            requestHeaders.TryAddWithoutValidation("Accept", "*/*");
        }

        if (hostHeader is not null)
        {
            // Unvalidated, as Go sends whatever req.Host holds; the Host property would throw.
            requestHeaders.TryAddWithoutValidation("Host", hostHeader);
        }

        return request;
    }

    /// <summary>The first non-empty <c>Host</c> header sets the request's host, as Go's <c>req.Host</c>.</summary>
    private static string? HostHeader(IList<V1HTTPHeader>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var header in headers)
        {
            if (header?.Name is { } name && IsHost(name))
            {
                return string.IsNullOrEmpty(header.Value) ? null : header.Value;
            }
        }

        return null;
    }

    private static bool IsHost(string name) => IsHeader(name, "Host");

    private static bool IsHeader(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>The statuses Go's client follows when a Location is given.</summary>
    private static bool IsFollowable(int status) => status is 301 or 302 or 303 or 307 or 308;

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        // A pod IP (the usual host) is connected to as is: a DnsEndPoint connect resolves even an
        // address literal, with a task and a SocketAsyncEventArgs of its own on every probe (perf);
        // in the pod's own network namespace when it has one.
        var socket = await ProbeAddress.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static string Describe(HttpRequestException exception, Uri url)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socketException)
            {
                return ProbeAddress.DialError(ProbeAddress.JoinHostPort(url.IdnHost, url.Port), socketException);
            }
        }

        return exception.InnerException is { } cause ? $"{exception.Message} {cause.Message}" : exception.Message;
    }
}
