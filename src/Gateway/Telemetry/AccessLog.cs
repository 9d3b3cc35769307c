using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Routing;
using Gateway.Specs;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Telemetry;

/// <summary>
/// <c>Gateway:AccessLog</c>: one JSON line per proxied request (time, service, pod, method, path,
/// status, duration, retries, bytes, error, client), written off the request path. A request only
/// queues a small record; one writer formats and writes them, to standard output or a file that it
/// opens for appending. When the writer falls behind by <see cref="Capacity"/> records, new ones are
/// dropped and counted rather than slowing the proxy; the next line says how many. A reload that
/// changes the setting takes effect for the requests after it.
/// </summary>
internal sealed partial class AccessLog : IAsyncDisposable
{
    public const int Capacity = 8192;

    private readonly Channel<Entry> _entries = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, AllowSynchronousContinuations = false,
    });

    private readonly EndpointTable _endpoints;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessLog> _logger;
    private readonly Func<Stream> _standardOutput;
    private readonly Task _writer;
    private volatile string? _target;
    private long _dropped;

    public AccessLog(ServiceCatalog catalog, EndpointTable endpoints, TimeProvider time, ILogger<AccessLog> logger, Func<Stream>? standardOutput = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _endpoints = endpoints;
        _time = time;
        _logger = logger;
        _standardOutput = standardOutput ?? Console.OpenStandardOutput;
        _target = catalog.Current.AccessLog;
        catalog.Changed += spec => _target = spec.AccessLog;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Whether requests are logged now.</summary>
    public bool Enabled => _target is not null;

    /// <summary>How many records were dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the request's record; returns at once.</summary>
    public void Write(HttpContext context, IReverseProxyFeature feature, string service, int status, TimeSpan elapsed, ForwarderError? error)
    {
        if (_target is null)
        {
            return;
        }

        var entry = new Entry(
            _time.GetUtcNow(), service, feature.ProxiedDestination?.DestinationId, context.Request.Method, context.Request.Path.Value ?? "/",
            status, elapsed, context.Features.Get<RetriedRequest>()?.Retries ?? 0, context.Response.ContentLength,
            error is null or ForwarderError.None ? null : error, context.Connection.RemoteIpAddress);
        if (!_entries.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync()
    {
        Stream? stream = null;
        string? openFor = null;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(buffer);
        try
        {
            while (await _entries.Reader.WaitToReadAsync())
            {
                var target = _target;
                if (target != openFor)
                {
                    await CloseAsync(stream, openFor);
                    stream = Open(target);
                    openFor = target;
                }

                while (_entries.Reader.TryRead(out var entry))
                {
                    if (stream is null)
                    {
                        continue;
                    }

                    Format(json, entry, Interlocked.Exchange(ref _dropped, 0));
                    json.Reset();
                    buffer.Write("\n"u8);
                }

                if (stream is not null && buffer.WrittenCount > 0)
                {
                    try
                    {
                        await stream.WriteAsync(buffer.WrittenMemory);
                        await stream.FlushAsync();
                    }
                    catch (IOException e)
                    {
                        LogWriteFailed(_logger, openFor!, e.Message);
                    }
                }

                buffer.ResetWrittenCount();
            }
        }
        finally
        {
            await CloseAsync(stream, openFor);
        }
    }

    private void Format(Utf8JsonWriter json, in Entry entry, long dropped)
    {
        var pod = entry.Destination is { } id
            ? _endpoints.Current.GetValueOrDefault(id)?.PodName ?? id
            : null;
        json.WriteStartObject();
        json.WriteString("time", entry.Time);
        json.WriteString("service", entry.Service);
        json.WriteString("pod", pod);
        json.WriteString("method", entry.Method);
        json.WriteString("path", entry.Path);
        json.WriteNumber("status", entry.Status);
        json.WriteNumber("duration_ms", Math.Round(entry.Elapsed.TotalMilliseconds, 3));
        json.WriteNumber("retries", entry.Retries);
        if (entry.Bytes is { } bytes)
        {
            json.WriteNumber("bytes", bytes);
        }
        else
        {
            json.WriteNull("bytes");
        }

        json.WriteString("error", entry.Error is { } error ? error.ToString() : null);
        json.WriteString("client", entry.Client?.ToString());
        if (dropped > 0)
        {
            json.WriteNumber("dropped_before", dropped);
        }

        json.WriteEndObject();
        json.Flush();
    }

    private Stream? Open(string? target)
    {
        if (target is null)
        {
            return null;
        }

        try
        {
            return target == GatewaySpec.AccessLogToStandardOutput
                ? _standardOutput()
                : new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogOpenFailed(_logger, target, e.Message);
            return null;
        }
    }

    /// <summary>Closes a file; standard output stays open, the console logger shares it.</summary>
    private static async Task CloseAsync(Stream? stream, string? target)
    {
        if (stream is not null && target != GatewaySpec.AccessLogToStandardOutput)
        {
            await stream.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _writer;
    }

    private readonly record struct Entry(
        DateTimeOffset Time, string Service, string? Destination, string Method, string Path, int Status, TimeSpan Elapsed, int Retries, long? Bytes,
        ForwarderError? Error, IPAddress? Client);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "access log: cannot open {Target}: {Error}; requests are not logged until Gateway:AccessLog changes")]
    private static partial void LogOpenFailed(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "access log: cannot write to {Target}: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string target, string error);
}
