using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.IntegrationTests.Gateway;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Routing;

/// <summary>
/// Long-lived requests through the gateway with real clients: a WebSocket echo (HTTP/1.1 upgrade and
/// RFC 8441's extended CONNECT on h2c) and Server-Sent Events (curl <c>-N</c>), whose events arrive one
/// by one; the default request timeout does not cut them, a service's own <c>Timeouts:Request</c>
/// does; and a draining pod's streams are closed at its drain deadline.
/// </summary>
public sealed class StreamingTests
{
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler());

    /// <summary>One demo pod; <paramref name="members"/> are more members of the service (e.g. its Timeouts).</summary>
    private static string Web(string members = "", int gracePeriodSeconds = 5) =>
        DemoService.Services(DemoService.Member("web", gracePeriodSeconds: gracePeriodSeconds)).Replace("\"web\": {", "\"web\": {" + members, StringComparison.Ordinal);

    private static async Task<GatewayProcess> StartRoutedAsync(string services)
    {
        var gateway = await GatewayProcess.StartAsync(services);
        try
        {
            await gateway.WaitForPodsAsync(p => p.Count == 1 && p[0].Status.ContainerStatuses?[0].Ready == true, "a ready pod");
            await Poll.UntilAsync(async () => (await gateway.Proxy.GetAsync("/")).IsSuccessStatusCode, "the pod routed");
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [InlineData("1.1", HttpStatusCode.SwitchingProtocols)]
    [InlineData("2.0", HttpStatusCode.OK)]
    public async Task WebSocket_EchoRoundTrips_ThenACleanClose(string version, HttpStatusCode handshake)
    {
        await using var gateway = await StartRoutedAsync(Web());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = await ConnectAsync(gateway, Version.Parse(version), timeout.Token);

        // 101 for an HTTP/1.1 upgrade, 200 for an HTTP/2 extended CONNECT: the protocol really used.
        Assert.Equal(handshake, socket.HttpStatusCode);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal($"hello {i}", await EchoAsync(socket, $"hello {i}", timeout.Token));
        }

        var large = new string('x', 100_000); // more than one frame each way
        Assert.Equal(large, await EchoAsync(socket, large, timeout.Token));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure, "done"), (socket.State, socket.CloseStatus, socket.CloseStatusDescription));
    }

    [SkippableTheory]
    [InlineData("--http1.1")]
    [InlineData("--http2-prior-knowledge")]
    public async Task ServerSentEvents_ArriveOneByOne(string protocol)
    {
        var curl = RequiredTool.Find("curl", "curl");
        await using var gateway = await StartRoutedAsync(Web());

        var stream = await CurlEventsAsync(curl, $"http://127.0.0.1:{gateway.ProxyPort}/sse?count=5&intervalMs=400", protocol);

        Assert.True(stream.ExitCode == 0, stream.Errors);
        Assert.Equal(["1", "2", "3", "4", "5"], stream.Events.Select(e => e.Data));
        // Each came when it was sent, 400 ms apart, not all together when the stream ended.
        var gaps = stream.Events.Zip(stream.Events.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.True(gaps.All(g => g > TimeSpan.FromMilliseconds(250)), $"gaps between events: {string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:0} ms"))}");
        Assert.True(stream.Took - stream.Events[0].At > TimeSpan.FromSeconds(1.4), $"the first event came {stream.Events[0].At}, the stream ended {stream.Took}");
    }

    [SkippableFact]
    public async Task SetRequestTimeout_BoundsStreamsToo()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await using var gateway = await StartRoutedAsync(Web(""" "Timeouts": { "Request": "2s" }, """));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = await ConnectAsync(gateway, HttpVersion.Version11, timeout.Token);
        var clock = Stopwatch.StartNew();
        Assert.Equal("before", await EchoAsync(socket, "before", timeout.Token));

        // A 5 s event stream: cut off at 2 s, part of it received.
        var stream = await CurlEventsAsync(curl, $"http://127.0.0.1:{gateway.ProxyPort}/sse?count=20&intervalMs=250", "--http1.1");
        Assert.True(stream.ExitCode != 0, $"curl ended well after {stream.Took} with {stream.Events.Count} events");
        Assert.InRange(stream.Events.Count, 3, 15);
        Assert.True(stream.Took < TimeSpan.FromSeconds(4), $"the stream was cut off after {stream.Took}");

        // The WebSocket opened before it: closed at its own 2 s.
        var cut = await Record.ExceptionAsync(() => socket.ReceiveAsync(new byte[16], timeout.Token));
        Assert.IsType<WebSocketException>(cut);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the WebSocket was closed after {clock.Elapsed}");
    }

    [SkippableFact]
    public async Task DefaultRequestTimeout_CutsAnOrdinaryRequest_NotAWebSocketNorAnEventStream()
    {
        var curl = RequiredTool.Find("curl", "curl");
        await using var gateway = await StartRoutedAsync(Web());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = await ConnectAsync(gateway, HttpVersion.Version11, timeout.Token);
        using var client = new HttpClient { BaseAddress = gateway.Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // All three begin together and would last 33 s; the default request timeout is 30 s.
        var ordinary = client.GetAsync("/slow?ms=33000");
        var events = CurlEventsAsync(curl, $"http://127.0.0.1:{gateway.ProxyPort}/sse?count=34&intervalMs=1000", "--http1.1");
        for (var i = 0; i < 33; i++)
        {
            Assert.Equal($"second {i}", await EchoAsync(socket, $"second {i}", timeout.Token));
            await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
        }

        using var timedOut = await ordinary;
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("did not answer within 30s (Timeouts:Request)", await timedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var stream = await events;
        Assert.True(stream.ExitCode == 0, stream.Errors);
        Assert.Equal(34, stream.Events.Count);
        Assert.Equal("after", await EchoAsync(socket, "after", timeout.Token));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task DrainingPod_WebSocketAndEventStreamClosedAtTheDrainDeadline()
    {
        const int GraceSeconds = 4; // the drain's deadline: the grace less 2 s
        await using var gateway = await StartRoutedAsync(Web(gracePeriodSeconds: GraceSeconds));
        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1, "the pod"))[0].Metadata.Name;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(gateway, HttpVersion.Version11, timeout.Token);
        Assert.Equal("before", await EchoAsync(socket, "before", timeout.Token));
        using var client = new HttpClient { BaseAddress = gateway.Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sse?count=1000&intervalMs=100") { Headers = { { "Accept", "text/event-stream" } } };
        using var sse = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var events = new StreamReader(await sse.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("data: 1", await events.ReadLineAsync(timeout.Token));
        await Poll.UntilAsync(async () => await ZeroDropTests.ActiveRequestsAsync(gateway) >= 2, "both streams in flight");

        var stopping = Stopwatch.StartNew();
        using var deleted = await gateway.Admin.DeleteAsync($"/api/v1/namespaces/default/pods/{pod}", timeout.Token);
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync(timeout.Token));

        // Both keep going while the pod drains, then end together at the deadline.
        var cut = await Record.ExceptionAsync(async () =>
        {
            while (true)
            {
                await EchoAsync(socket, "during", timeout.Token);
                await Task.Delay(100, timeout.Token);
            }
        });
        var socketClosedAfter = stopping.Elapsed;
        var eventsEnded = await Record.ExceptionAsync(async () =>
        {
            while (await events.ReadLineAsync(timeout.Token) is not null)
            {
            }
        });

        Assert.True(cut is WebSocketException, $"the WebSocket ended with {cut}");
        Assert.True(eventsEnded is IOException or HttpRequestException, $"the event stream ended with {eventsEnded?.ToString() ?? "its end"}");
        Assert.True(socketClosedAfter > TimeSpan.FromSeconds(GraceSeconds - 2 - 1), $"the WebSocket closed {socketClosedAfter.TotalSeconds:0.0} s after the delete: before the drain's deadline");
        Assert.True(socketClosedAfter < TimeSpan.FromSeconds(GraceSeconds), $"the WebSocket closed {socketClosedAfter.TotalSeconds:0.0} s after the delete");
        await Poll.UntilAsync(() => Task.FromResult(gateway.Output.Contains($"pod {pod}: drain deadline: closing 2 request(s) still in flight", StringComparison.Ordinal)),
            $"the drain's closing line\n{gateway.Output}");
    }

    private static async Task<ClientWebSocket> ConnectAsync(GatewayProcess gateway, Version version, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.ProxyPort}/ws"), Invoker, cancellationToken);
        return socket;
    }

    /// <summary>Sends <paramref name="text"/> as one text message and returns the next message received, whole.</summary>
    private static async Task<string> EchoAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        ValueWebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>Real curl, unbuffered (<c>-N</c>), asking for an event stream as <c>EventSource</c> does: each <c>data:</c> line and when it arrived.</summary>
    private static async Task<(int ExitCode, List<(string Data, TimeSpan At)> Events, TimeSpan Took, string Errors)> CurlEventsAsync(string curl, string url, string protocol)
    {
        var info = new ProcessStartInfo(curl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-sS", "-N", "-H", "Accept: text/event-stream", "--max-time", "60", protocol, url })
        {
            info.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var events = new List<(string, TimeSpan)>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((line["data: ".Length..], clock.Elapsed));
            }
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (process.ExitCode, events, clock.Elapsed, await errors);
    }
}
