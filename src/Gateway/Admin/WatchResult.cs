using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A watch, as the API server serves one: a chunked stream of <c>WatchEvent</c> lines
/// (<c>{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":...}</c>) for the objects that pass
/// <paramref name="selected"/>, from the request's resourceVersion, until <c>timeoutSeconds</c> or the
/// client goes. An object that starts to pass the selector is ADDED, one that stops is DELETED (with
/// its last state), as the API server's watch cache does. A version older than the history gets an
/// ERROR event with a 410 <c>Expired</c> Status, so the client lists again.
/// </summary>
internal sealed class WatchResult<T>(
    WatchCache<T> cache, ListRequest options, Func<T, bool> selected, Func<T, DateTimeOffset, JsonNode> render, string kind, TimeProvider time) : IResult
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>How many changes may wait for a slow client before its watch is closed.</summary>
    public const int QueueLimit = 1000;

    private static readonly WatchChange<T> Bookmark = new(0, null, null);

    /// <summary>How often a watch that allows bookmarks gets one (the API server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var queue = Channel.CreateBounded<WatchChange<T>>(new BoundedChannelOptions(QueueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        if (options.ResourceVersion > cache.Clock)
        {
            await StartAsync(response);
            await WriteAsync(response, "ERROR", KubernetesStatus.Failure(504, "Timeout", $"Too large resource version: {options.ResourceVersion}, current: {cache.Clock}"));
            return;
        }

        var start = cache.Watch(options.ResourceVersion, queue.Writer);
        await StartAsync(response);
        if (start.Expired)
        {
            await WriteAsync(response, "ERROR", KubernetesStatus.Failure(410, "Expired", $"too old resource version: {options.ResourceVersion} ({start.Version})"));
            return;
        }

        // The watch ends at its timeout, when the client goes, or when the gateway stops (so a watching kubectl does not hold up its shutdown).
        var stopping = httpContext.RequestServices?.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping, httpContext.RequestAborted);
        using var bookmarks = options.Bookmarks ? time.CreateTimer(_ => queue.Writer.TryWrite(Bookmark), null, BookmarkInterval, BookmarkInterval) : null;
        var at = start.Version;
        try
        {
            foreach (var change in start.Replay)
            {
                at = await SendAsync(response, change, at);
            }

            await response.Body.FlushAsync(stop.Token);
            while (await queue.Reader.WaitToReadAsync(stop.Token))
            {
                while (queue.Reader.TryRead(out var change))
                {
                    at = await SendAsync(response, change, at);
                }

                await response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when ((timeout.IsCancellationRequested || stopping.IsCancellationRequested) && !httpContext.RequestAborted.IsCancellationRequested)
        {
            if (options.Bookmarks)
            {
                await SendAsync(response, Bookmark, at);
            }
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to finish.
        }
        finally
        {
            cache.Stop(queue.Writer);
        }
    }

    /// <summary>Sends one change as the client should see it through its selector; returns the version the watch is at after it.</summary>
    private async Task<long> SendAsync(HttpResponse response, WatchChange<T> change, long at)
    {
        if (ReferenceEquals(change, Bookmark))
        {
            await WriteAsync(response, "BOOKMARK", new JsonObject
            {
                ["kind"] = kind,
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = Version(at) },
            });
            return at;
        }

        var was = change.Before is { } before && selected(before);
        var @is = change.After is { } after && selected(after);
        var type = (was, @is) switch
        {
            (false, true) => "ADDED",
            (true, true) => "MODIFIED",
            (true, false) => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            // A deleted object (or one that left the selector) is shown in its last state at the version of its deletion.
            var node = render(type == "DELETED" ? change.Before! : change.After!, time.GetUtcNow());
            SetVersion(node, Version(change.Version));
            await WriteAsync(response, type, node);
        }

        return Math.Max(at, change.Version);
    }

    private static void SetVersion(JsonNode node, string version)
    {
        if (node["kind"]?.GetValue<string>() == "Table")
        {
            foreach (var row in node["rows"]!.AsArray())
            {
                row!["object"]!["metadata"]!["resourceVersion"] = version;
            }
        }

        node["metadata"]!["resourceVersion"] = version;
    }

    private static string Version(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static Task StartAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = KubernetesStatus.JsonType;
        response.Headers.CacheControl = "no-cache, private";
        return response.StartAsync();
    }

    private static async Task WriteAsync(HttpResponse response, string type, JsonNode node)
    {
        await response.WriteAsync(new JsonObject { ["type"] = type, ["object"] = node }.ToJsonString() + "\n");
        if (type == "ERROR")
        {
            await response.Body.FlushAsync();
        }
    }
}
