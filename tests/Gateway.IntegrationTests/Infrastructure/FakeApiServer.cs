using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A Kubernetes API server for EndpointSlices only, in the test process, on the real wire protocol:
/// a list with a resourceVersion, then a chunked watch stream of JSON events (one per line) that
/// replays from the requested resourceVersion, sends bookmarks when asked, answers a compacted
/// resourceVersion with a 410 ERROR event, and can drop its connections or refuse every request.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, V1EndpointSlice> _slices = new(StringComparer.Ordinal);
    private readonly List<(long ResourceVersion, string Type, V1EndpointSlice Slice)> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly List<string> _requests = [];
    private long _resourceVersion = 100;
    private long _compactedBefore;

    private FakeApiServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>When set, every request is cut off before an answer, as if the API server could not be reached.</summary>
    public volatile bool Unreachable;

    /// <summary>The requests served so far: <c>LIST</c> or <c>WATCH rv=N</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public int Lists => Requests.Count(r => r == "LIST");

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.MapGet("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", server.ServeAsync);
        await app.StartAsync();
        server.Url = app.Urls.First();
        return server;
    }

    /// <summary>Writes a kubeconfig file that points at this server; returns its path.</summary>
    public string WriteKubeconfig(string directory)
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster: { server: "{{Url}}" }
            users:
            - name: tester
              user: { token: fake-token }
            contexts:
            - name: fake
              context: { cluster: fake, user: tester, namespace: default }
            current-context: fake
            """);
        return path;
    }

    /// <summary>An EndpointSlice of Service <paramref name="service"/> with one endpoint on 127.0.0.1:<paramref name="port"/>.</summary>
    public static V1EndpointSlice Slice(string name, string service, string pod, int port, bool ready, bool? serving = null, bool? terminating = null) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port, Protocol = "TCP" }],
        Endpoints =
        [
            new V1Endpoint
            {
                Addresses = ["127.0.0.1"],
                Conditions = new V1EndpointConditions { Ready = ready, Serving = serving ?? ready, Terminating = terminating ?? false },
                TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = "default" },
            },
        ],
    };

    public void Upsert(V1EndpointSlice slice)
    {
        lock (_lock)
        {
            var type = _slices.ContainsKey(slice.Metadata.Name) ? "MODIFIED" : "ADDED";
            var copy = Copy(slice);
            copy.Metadata.ResourceVersion = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            _slices[slice.Metadata.Name] = copy;
            Emit(type, copy);
        }
    }

    public void Delete(string name)
    {
        lock (_lock)
        {
            if (_slices.Remove(name, out var slice))
            {
                var copy = Copy(slice);
                copy.Metadata.ResourceVersion = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                Emit("DELETED", copy);
            }
        }
    }

    /// <summary>Sends a bookmark at a new resourceVersion to every watch that allows them; returns that resourceVersion.</summary>
    public string Bookmark()
    {
        lock (_lock)
        {
            var rv = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            var line = KubernetesJson.Serialize(new { type = "BOOKMARK", @object = new { kind = "EndpointSlice", apiVersion = "discovery.k8s.io/v1", metadata = new { resourceVersion = rv } } });
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Lines.Writer.TryWrite(line);
            }

            return rv;
        }
    }

    /// <summary>Forgets the history: open watches get a 410 ERROR event and end; a watch from an older resourceVersion gets the same.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBefore = _resourceVersion;
            _history.Clear();
            foreach (var watcher in _watchers)
            {
                watcher.Lines.Writer.TryWrite(GoneLine);
                watcher.Lines.Writer.TryComplete();
            }
        }
    }

    /// <summary>Cuts every open watch connection without a word.</summary>
    public void DropWatches()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Context.Abort();
            }
        }
    }

    private static readonly string GoneLine = KubernetesJson.Serialize(new
    {
        type = "ERROR",
        @object = new { apiVersion = "v1", kind = "Status", status = "Failure", reason = "Expired", code = 410, message = "too old resource version" },
    });

    private void Emit(string type, V1EndpointSlice slice)
    {
        var rv = long.Parse(slice.Metadata.ResourceVersion, CultureInfo.InvariantCulture);
        _history.Add((rv, type, slice));
        var line = EventLine(type, slice);
        foreach (var watcher in _watchers)
        {
            watcher.Lines.Writer.TryWrite(line);
        }
    }

    private static string EventLine(string type, V1EndpointSlice slice) => KubernetesJson.Serialize(new Dictionary<string, object> { ["type"] = type, ["object"] = slice });

    private static V1EndpointSlice Copy(V1EndpointSlice slice) => KubernetesJson.Deserialize<V1EndpointSlice>(KubernetesJson.Serialize(slice));

    private async Task ServeAsync(HttpContext context, string ns)
    {
        if (Unreachable)
        {
            context.Abort();
            return;
        }

        var query = context.Request.Query;
        var selector = query["labelSelector"].ToString();
        bool Matches(V1EndpointSlice s) => string.IsNullOrEmpty(selector)
            || selector.Split(',').All(term => term.Split('=') is [var k, var v] && s.Metadata.Labels is { } labels && labels.TryGetValue(k, out var value) && value == v);

        if (query["watch"] != "true" && query["watch"] != "1")
        {
            V1EndpointSliceList list;
            lock (_lock)
            {
                _requests.Add("LIST");
                list = new V1EndpointSliceList
                {
                    ApiVersion = "discovery.k8s.io/v1",
                    Kind = "EndpointSliceList",
                    Metadata = new V1ListMeta { ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                    Items = [.. _slices.Values.Where(s => s.Metadata.NamespaceProperty == ns && Matches(s))],
                };
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(KubernetesJson.Serialize(list));
            return;
        }

        var from = long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var v) ? v : 0;
        var watcher = new Watcher(context, query["allowWatchBookmarks"] == "true");
        lock (_lock)
        {
            _requests.Add($"WATCH rv={from}");
            if (from < _compactedBefore)
            {
                watcher.Lines.Writer.TryWrite(GoneLine);
                watcher.Lines.Writer.TryComplete();
            }
            else
            {
                foreach (var (rv, type, slice) in _history.Where(h => h.ResourceVersion > from))
                {
                    watcher.Lines.Writer.TryWrite(EventLine(type, slice));
                }

                _watchers.Add(watcher);
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync();
        try
        {
            await foreach (var line in watcher.Lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Lines.Writer.TryComplete();
            }
        }

        await _app.DisposeAsync();
    }

    private sealed class Watcher(HttpContext context, bool bookmarks)
    {
        public HttpContext Context { get; } = context;

        public bool Bookmarks { get; } = bookmarks;

        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();
    }
}
