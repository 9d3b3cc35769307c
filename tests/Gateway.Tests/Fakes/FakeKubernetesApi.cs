using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Gateway.Tests.TestSupport;
using k8s;
using k8s.Models;

namespace Gateway.Tests.Fakes;

/// <summary>
/// The EndpointSlice part of a Kubernetes API server, in memory, behind a real <see cref="k8s.Kubernetes"/>
/// client (it is the client's last message handler): a list answers with a resourceVersion; a watch
/// is a stream of JSON lines that replays from the requested resourceVersion, sends bookmarks when
/// asked, and answers a compacted one with a 410 ERROR event. A test can end, cut or refuse requests,
/// and wait until a number of requests have been made.
/// </summary>
internal sealed class FakeKubernetesApi : DelegatingHandler
{
    private static readonly string GoneLine = KubernetesJson.Serialize(new
    {
        type = "ERROR",
        @object = new { apiVersion = "v1", kind = "Status", status = "Failure", reason = "Expired", code = 410, message = "too old resource version" },
    });

    private readonly Lock _lock = new();
    private readonly Dictionary<string, V1EndpointSlice> _slices = new(StringComparer.Ordinal);
    private readonly List<(long ResourceVersion, V1EndpointSlice Slice, string Line)> _history = [];
    private readonly List<(Watch Watch, Dictionary<string, string> Query)> _watches = [];
    private readonly List<Uri> _requests = [];
    private readonly ConditionSignal _changed = new();
    private long _resourceVersion = 100;
    private long _compactedBefore;

    /// <summary>When set, each request fails before an answer, as if the API server could not be reached.</summary>
    public volatile bool Unreachable;

    /// <summary>When set, each request is answered with this status and body instead.</summary>
    public (HttpStatusCode Status, string Body)? Refuse { get; set; }

    /// <summary>A client whose requests this fake answers.</summary>
    public IKubernetes Client() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://api.test" }, this);

    /// <summary>The requests made so far, answered or not: <c>LIST</c> or <c>WATCH rv=N</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests.Select(Describe)];
            }
        }
    }

    /// <summary>The query of each request made so far, by name.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Queries
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests.Select(Query)];
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> requests have been made; returns them all.</summary>
    public async Task<IReadOnlyList<string>> WaitForRequestsAsync(int count)
    {
        await _changed.WaitAsync(() => Requests.Count >= count, $"{count} API request(s)");
        return Requests;
    }

    /// <summary>An EndpointSlice of Service <paramref name="service"/> with one endpoint per address, on port <c>http</c>.</summary>
    public static V1EndpointSlice Slice(string name, string service, int port, params V1Endpoint[] endpoints) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port, Protocol = "TCP" }],
        Endpoints = endpoints,
    };

    public static V1Endpoint Endpoint(string address, string pod, bool ready = true, bool? serving = null, bool? terminating = null) => new()
    {
        Addresses = [address],
        Conditions = new V1EndpointConditions { Ready = ready, Serving = serving ?? ready, Terminating = terminating ?? false },
        TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = "default" },
    };

    /// <summary>Adds or replaces a slice; returns its new resourceVersion.</summary>
    public long Upsert(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        lock (_lock)
        {
            var type = _slices.ContainsKey(slice.Metadata.Name) ? "MODIFIED" : "ADDED";
            var copy = KubernetesJson.Deserialize<V1EndpointSlice>(KubernetesJson.Serialize(slice));
            copy.Metadata.ResourceVersion = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            _slices[copy.Metadata.Name] = copy;
            Emit(copy, Event(type, copy));
            return _resourceVersion;
        }
    }

    public long Delete(string name)
    {
        lock (_lock)
        {
            var slice = _slices[name];
            _slices.Remove(name);
            slice.Metadata.ResourceVersion = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            Emit(slice, Event("DELETED", slice));
            return _resourceVersion;
        }
    }

    /// <summary>Sends every open watch a bookmark at a new resourceVersion; returns it.</summary>
    public long Bookmark()
    {
        lock (_lock)
        {
            var rv = ++_resourceVersion;
            var line = KubernetesJson.Serialize(new
            {
                type = "BOOKMARK",
                @object = new { kind = "EndpointSlice", apiVersion = "discovery.k8s.io/v1", metadata = new { resourceVersion = rv.ToString(CultureInfo.InvariantCulture) } },
            });
            foreach (var (watch, _) in _watches)
            {
                watch.Write(line);
            }

            return rv;
        }
    }

    /// <summary>Forgets the history: open watches get a 410 ERROR event and end; so does a later watch from before now.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBefore = _resourceVersion;
            _history.Clear();
            foreach (var (watch, _) in _watches)
            {
                watch.Write(GoneLine);
                watch.End(cut: false);
            }

            _watches.Clear();
        }
    }

    /// <summary>Ends every open watch cleanly, as the API server does when a watch's timeout is up.</summary>
    public void EndWatches() => EndWatches(cut: false);

    /// <summary>Breaks every open watch stream after what it has sent, as a reset connection does.</summary>
    public void CutWatches() => EndWatches(cut: true);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri!;
        HttpResponseMessage? response;
        lock (_lock)
        {
            _requests.Add(uri);
            response = Unreachable ? null : Answer(uri);
        }

        if (response is not null)
        {
            response.RequestMessage = request;
        }

        // Told after the answer is ready: a test that saw this request may change what it watches.
        _changed.Notify();
        return response is null ? Task.FromException<HttpResponseMessage>(new HttpRequestException("connection refused")) : Task.FromResult(response);
    }

    private HttpResponseMessage Answer(Uri uri)
    {
        if (Refuse is var (status, body))
        {
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        }

        var query = Query(uri);
        if (query.GetValueOrDefault("watch") != "true")
        {
            var list = new V1EndpointSliceList
            {
                ApiVersion = "discovery.k8s.io/v1",
                Kind = "EndpointSliceList",
                Metadata = new V1ListMeta { ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                Items = [.. _slices.Values.Where(s => Selects(query, s))],
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(KubernetesJson.Serialize(list), Encoding.UTF8, "application/json") };
        }

        var watch = new Watch();
        var from = long.Parse(query.GetValueOrDefault("resourceVersion", "0"), CultureInfo.InvariantCulture);
        if (from < _compactedBefore)
        {
            watch.Write(GoneLine);
            watch.End(cut: false);
        }
        else
        {
            foreach (var (_, slice, line) in _history.Where(h => h.ResourceVersion > from))
            {
                if (Selects(query, slice))
                {
                    watch.Write(line);
                }
            }

            _watches.Add((watch, query));
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(watch) };
    }

    private void EndWatches(bool cut)
    {
        lock (_lock)
        {
            foreach (var (watch, _) in _watches)
            {
                watch.End(cut);
            }

            _watches.Clear();
        }
    }

    private void Emit(V1EndpointSlice slice, string line)
    {
        _history.Add((_resourceVersion, slice, line));
        foreach (var (watch, query) in _watches.Where(w => Selects(w.Query, slice)))
        {
            watch.Write(line);
        }
    }

    /// <summary>A label selector of <c>key=value</c> terms, as the gateway sends.</summary>
    private static bool Selects(Dictionary<string, string> query, V1EndpointSlice slice) =>
        !query.TryGetValue("labelSelector", out var selector) || selector.Split(',').All(term =>
            term.Split('=') is [var key, var value] && slice.Metadata.Labels is { } labels && labels.TryGetValue(key, out var actual) && actual == value);

    private static string Event(string type, V1EndpointSlice slice) => KubernetesJson.Serialize(new Dictionary<string, object> { ["type"] = type, ["object"] = slice });

    private static Dictionary<string, string> Query(Uri uri) => uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);

    private static string Describe(Uri uri) => Query(uri) is var query && query.GetValueOrDefault("watch") == "true"
        ? $"WATCH rv={query.GetValueOrDefault("resourceVersion")}"
        : "LIST";

    /// <summary>
    /// One watch's response body: the lines written to it, then its end, either clean (end of file) or
    /// cut (an <see cref="IOException"/> once every line sent before the cut has been read).
    /// </summary>
    private sealed class Watch : Stream
    {
        private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0));
        private readonly Stream _body;
        private volatile bool _cut;

        public Watch() => _body = _pipe.Reader.AsStream();

        public void Write(string line)
        {
            // Never waits: the pipe does not pause its writer.
            _pipe.Writer.Write(Encoding.UTF8.GetBytes(line + "\n"));
            _ = _pipe.Writer.FlushAsync().AsTask();
        }

        public void End(bool cut)
        {
            _cut = cut;
            _pipe.Writer.Complete();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await _body.ReadAsync(buffer, cancellationToken);
            return read == 0 && _cut ? throw new IOException("connection reset by peer") : read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
