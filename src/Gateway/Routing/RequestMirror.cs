using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// <c>RequestMirror</c>: a copy of the request (method, path and query, headers, and a body of at
/// most <see cref="MaxBodyBytes"/>, buffered so the real request still reads it) sent to one ready
/// endpoint of the mirror service through that service's own client, fire and forget: its answer
/// and its failure are ignored, and it never delays the real request past reading the body.
/// </summary>
internal sealed partial class RequestMirror(ILogger<RequestMirror> logger)
{
    /// <summary>The largest body copied; a request with a larger or unknown-length body is mirrored without it.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task SendAsync(HttpContext context, ClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cluster);
        var destinations = cluster.DestinationsState.AvailableDestinations;
        if (destinations.Count == 0 || cluster.Model.HttpClient is not { } client)
        {
            return;
        }

        var destination = destinations[Random.Shared.Next(destinations.Count)];
        var request = context.Request;
        var target = new Uri(new Uri(destination.Model.Config.Address), request.Path.Value + request.QueryString.Value);
        var copy = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.ContentLength is > 0 and <= MaxBodyBytes)
        {
            request.EnableBuffering();
            var body = new byte[request.ContentLength.Value];
            await request.Body.ReadExactlyAsync(body, context.RequestAborted).ConfigureAwait(false);
            request.Body.Position = 0;
            copy.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!copy.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                copy.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        _ = SendCopyAsync(client, copy, cluster.ClusterId);
    }

    private async Task SendCopyAsync(HttpMessageInvoker client, HttpRequestMessage copy, string service)
    {
        using var request = copy;
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            using var response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A mirror's failure is only logged: the real request does not depend on it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogMirrorFailed(logger, service, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirrored request to service {Service} failed: {Reason}")]
    private static partial void LogMirrorFailed(ILogger logger, string service, string reason);
}
