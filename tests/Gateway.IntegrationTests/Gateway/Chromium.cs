using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Gateway;

/// <summary>
/// The machine's headless Chromium, for the status page tests: one-shot runs (<c>--dump-dom</c>,
/// <c>--screenshot</c>), and a browser kept open and driven over the DevTools protocol (a WebSocket,
/// <c>Runtime.evaluate</c>) so that a test can type into the page and click its buttons as a person
/// would. Each run has its own throw-away profile.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    ];

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private Chromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    /// <summary>Runs Chromium to its end with <paramref name="args"/> and returns what it printed.</summary>
    public static async Task<string> RunAsync(string chromium, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("gateway-chromium-").FullName;
        try
        {
            using var process = Start(chromium, profile, args);
            var stdout = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return await stdout;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>Opens <paramref name="url"/> in a browser that stays up, and connects to that page's DevTools endpoint.</summary>
    public static async Task<Chromium> OpenAsync(string chromium, string url)
    {
        var profile = Directory.CreateTempSubdirectory("gateway-chromium-").FullName;
        var process = Start(chromium, profile, ["--remote-debugging-port=0", "--window-size=1100,1400", url]);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            // Port 0: Chromium picks one and writes it to DevToolsActivePort in the profile.
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(portFile) && File.ReadAllLines(portFile).Length >= 1), "Chromium's DevTools port", TimeSpan.FromSeconds(20));
            var port = int.Parse(File.ReadAllLines(portFile)[0], System.Globalization.CultureInfo.InvariantCulture);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            string? socketUrl = null;
            await Poll.UntilAsync(async () =>
            {
                var targets = JsonNode.Parse(await http.GetStringAsync("json/list"))!.AsArray();
                socketUrl = targets.FirstOrDefault(t => (string?)t!["type"] == "page" && ((string?)t["url"])?.StartsWith(url, StringComparison.Ordinal) == true)?["webSocketDebuggerUrl"]?.GetValue<string>();
                return socketUrl is not null;
            }, $"Chromium's page of {url}", TimeSpan.FromSeconds(20));
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(socketUrl!), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            return new Chromium(process, profile, socket);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (awaiting a promise) and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var id = ++_nextId;
        var request = new JsonObject
        {
            ["id"] = id,
            ["method"] = "Runtime.evaluate",
            ["params"] = new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true },
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        while (true)
        {
            var message = JsonNode.Parse(await ReceiveAsync(timeout.Token))!;
            if ((int?)message["id"] != id)
            {
                continue; // an event, or the answer to an earlier call
            }

            if (message["result"]?["exceptionDetails"] is { } exception)
            {
                throw new InvalidOperationException($"{expression} threw: {exception.ToJsonString()}");
            }

            return message["result"]?["result"]?["value"];
        }
    }

    /// <summary>A string the page computes, e.g. an element's text.</summary>
    public async Task<string> TextAsync(string expression) => (await EvaluateAsync(expression))?.GetValue<string>() ?? "";

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // Chromium's helpers may still be writing the profile as they exit.
                await Task.Delay(200);
            }
        }
    }

    private static Process Start(string chromium, string profile, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in Flags.Append($"--user-data-dir={profile}").Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("Chromium closed the DevTools connection");
            }

            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(text.ToArray());
            }
        }
    }
}
