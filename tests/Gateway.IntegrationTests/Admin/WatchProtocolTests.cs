using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>The watch protocol on the wire, with a plain HttpClient as a client library would speak it.</summary>
public sealed class WatchProtocolTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    [Fact]
    public async Task WatchFromAVersion_APodsWholeLife_EveryChangeOnceInOrder_AndTheHistoryReplaysTheSame()
    {
        await using var gateway = await GatewayProcess.StartAsync("{}");
        var from = (await gateway.GetPodsAsync()).Metadata.ResourceVersion;
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var live = await WatchLines.StartAsync(client, new Uri(gateway.AdminUrl, $"{Pods}?watch=1&resourceVersion={from}"));

        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings($"{{ {KubectlGateway.Service("b", 1, "")} }}", gateway.ProxyPort, gateway.AdminPort));
        await live.WaitForAsync(l => Type(l) == "MODIFIED" && Ready(l), "the pod ready");
        await File.WriteAllTextAsync(gateway.SettingsPath, GatewayProcess.Settings("{}", gateway.ProxyPort, gateway.AdminPort));
        await live.WaitForAsync(l => Type(l) == "DELETED", "the pod deleted");

        var seen = live.Lines;
        var types = seen.Select(Type).ToList();
        Assert.Equal("ADDED", types[0]);
        Assert.Equal("DELETED", types[^1]);
        Assert.All(types[1..^1], t => Assert.Equal("MODIFIED", t));
        Assert.Single(seen.Select(l => (string?)l["object"]!["metadata"]!["uid"]).Distinct());
        var versions = seen.Select(Version).ToList();
        Assert.True(versions.Zip(versions.Skip(1)).All(p => p.First < p.Second), $"versions grow: {string.Join(", ", versions)}");
        Assert.True(versions[0] > long.Parse(from, CultureInfo.InvariantCulture));

        // The life, in order: created (Pending), running, ready, terminating (deletionTimestamp), deleted.
        var phases = seen.Select(l => (string?)l["object"]!["status"]!["phase"]).ToList();
        Assert.Equal("Pending", phases[0]);
        var running = phases.IndexOf("Running");
        var ready = seen.FindIndex(Ready);
        var terminating = seen.FindIndex(l => l["object"]!["metadata"]!["deletionTimestamp"] is not null);
        Assert.True(running > 0 && ready >= running && terminating > ready && terminating < seen.Count, $"{string.Join("\n", seen.Select(l => l.ToJsonString()))}");

        // Watching again from the same version replays the same changes from the history, each once.
        using var replay = await WatchLines.StartAsync(client, new Uri(gateway.AdminUrl, $"{Pods}?watch=1&resourceVersion={from}&timeoutSeconds=1"));
        await replay.WaitForEndAsync();
        Assert.Equal(seen.Select(l => (Type(l), Version(l))), replay.Lines.Select(l => (Type(l), Version(l))));
    }

    [Fact]
    public async Task Watch_VersionOlderThanTheHistory_ErrorEvent410Expired_AndAListGivesOneToStartFrom()
    {
        await using var gateway = await GatewayProcess.StartAsync("{}");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var old = await WatchLines.StartAsync(client, new Uri(gateway.AdminUrl, $"{Pods}?watch=true&resourceVersion=1"));
        await old.WaitForEndAsync();

        var error = Assert.Single(old.Lines);
        Assert.Equal("ERROR", Type(error));
        Assert.Equal((410, "Expired"), ((int)error["object"]!["code"]!, (string?)error["object"]!["reason"]));
        Assert.StartsWith("too old resource version: 1 (", (string?)error["object"]!["message"], StringComparison.Ordinal);

        var from = (await gateway.GetPodsAsync()).Metadata.ResourceVersion;
        using var fresh = await WatchLines.StartAsync(client, new Uri(gateway.AdminUrl, $"{Pods}?watch=true&resourceVersion={from}&timeoutSeconds=1&allowWatchBookmarks=true"));
        await fresh.WaitForEndAsync();
        var bookmark = Assert.Single(fresh.Lines);
        Assert.Equal(("BOOKMARK", from), (Type(bookmark), (string?)bookmark["object"]!["metadata"]!["resourceVersion"]));
    }

    [Fact]
    public async Task GatewayStops_WhileWatched_TheWatchEndsAndTheStopIsNotHeldUp()
    {
        await using var gateway = await GatewayProcess.StartAsync("{}");
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var watch = await WatchLines.StartAsync(client, new Uri(gateway.AdminUrl, $"{Pods}?watch=true"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(0, await gateway.StopAsync());

        await watch.WaitForEndAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"stopped in {stopwatch.Elapsed}");
    }

    [Theory]
    [InlineData("?watch=1&resourceVersion=abc")]
    [InlineData("?watch=1&timeoutSeconds=99999999999")]
    [InlineData("?watch=maybe")]
    [InlineData("?labelSelector=app%20in%20(")]
    [InlineData("?fieldSelector=spec.containers%3Dweb")]
    public async Task BadQuery_400StatusNever500(string query)
    {
        await using var gateway = await GatewayProcess.StartAsync("{}");

        await AdminStatus.ReadAsync(await gateway.Admin.GetAsync(Pods + query), System.Net.HttpStatusCode.BadRequest, "BadRequest");
    }

    private static string Type(JsonNode line) => (string)line["type"]!;

    private static long Version(JsonNode line) => long.Parse((string)line["object"]!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);

    private static bool Ready(JsonNode line) =>
        line["object"]!["status"]!["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True") == true;

    /// <summary>The lines of one watch response, read as they come.</summary>
    private sealed class WatchLines : IDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly List<JsonNode> _lines = [];
        private readonly Task _reading;

        private WatchLines(HttpResponseMessage response)
        {
            _response = response;
            _reading = ReadAsync();
        }

        public List<JsonNode> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public static async Task<WatchLines> StartAsync(HttpClient client, Uri uri)
        {
            var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Null(response.Content.Headers.ContentLength);
            return new WatchLines(response);
        }

        public Task WaitForAsync(Func<JsonNode, bool> condition, string what) =>
            Poll.UntilAsync(() => Task.FromResult(Lines.Any(condition)), $"{what} in the watch: {string.Join("\n", Lines.Select(l => l.ToJsonString()))}", TimeSpan.FromSeconds(60));

        public Task WaitForEndAsync() => _reading.WaitAsync(TimeSpan.FromSeconds(30));

        public void Dispose() => _response.Dispose();

        private async Task ReadAsync()
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(JsonNode.Parse(line)!);
                }
            }
        }
    }
}
