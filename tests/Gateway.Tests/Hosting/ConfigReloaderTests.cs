using Gateway.Admin;
using Gateway.Events;
using Gateway.Hosting;
using Gateway.Specs;
using Gateway.Tests.Fakes;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Hosting;

public sealed class ConfigReloaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-reload-").FullName;
    private readonly TrackingTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly GatewayStatus _status = new();
    private readonly EventWatch _events;
    private readonly SettingsReader _settings;
    private readonly AppliedConfiguration _applied;
    private readonly ServiceCatalog _catalog;
    private readonly ConfigReloader _reloader;

    public ConfigReloaderTests()
    {
        _events = new EventWatch(_time);
        _settings = new SettingsReader(Path.Combine(_dir, "appsettings.json"), []);
        var initial = Write(SettingsReaderTests.Valid);
        _applied = new AppliedConfiguration(initial.Configuration!);
        _catalog = new ServiceCatalog(initial.Spec!);
        _reloader = new ConfigReloader(_settings, _applied, _catalog, _status, _events.Recorder, _time, NullLogger<ConfigReloader>.Instance);
    }

    public void Dispose()
    {
        _reloader.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private SettingsRead Write(string text)
    {
        File.WriteAllText(_settings.SettingsPath, text);
        return _settings.Read();
    }

    private static string WithReplicas(int replicas, string logLevel = "Warning") =>
        SettingsReaderTests.Valid.Replace("\"Replicas\": 2", $"\"Replicas\": {replicas}", StringComparison.Ordinal).Replace("Warning", logLevel, StringComparison.Ordinal);

    private int Replicas => _catalog.Current.Services.Single().Pods!.Replicas;

    [Theory]
    [InlineData("{ \"Gateway\": { \"Services\": [", "cannot read")]
    [InlineData("""{ "Gateway": { "Services": { "web": { "SlowStartSeconds": 1e20, "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } }, "Logging": { "LogLevel": { "Default": "Trace" } } }""", "appsettings.json")]
    [InlineData("""{ "Gateway": { "Services": { "web": { "Replicas": -2 } } }, "Logging": { "LogLevel": { "Default": "Trace" } } }""", "Gateway:Services:web:Replicas")]
    [InlineData("""{ "Gateway": { "Services": { "web": { "Protocol": "https", "BackendTls": { "CaFile": "missing-ca.pem" }, "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }""", "Gateway:Services:web:BackendTls:CaFile")]
    [InlineData("""{ "Gateway": { "Routes": [ "missing-route.yaml" ], "Services": { "web": { "Template": { "spec": { "containers": [ { "name": "web", "command": [ "x" ] } ] } } } } } }""", "Gateway:Routes:0")]
    public void Reload_BadFile_RefusedWholeWithEventAndReadyzCheck(string text, string named)
    {
        var before = _catalog.Current;
        File.WriteAllText(_settings.SettingsPath, text);

        var errors = _reloader.Reload();

        Assert.NotEmpty(errors);
        Assert.Same(before, _catalog.Current);
        Assert.Equal("Warning", _applied.TryGet("Logging:LogLevel:Default", out var level) ? level : null);
        var rejected = Assert.Single(_events.Snapshot, e => e.Reason == "ConfigRejected");
        Assert.Contains(named, rejected.Message, StringComparison.Ordinal);
        Assert.Contains(named, _status.Problems["config"], StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_GoodFileAfterABadOne_AppliedEverywhereAndTheCheckClears()
    {
        File.WriteAllText(_settings.SettingsPath, "{");
        _reloader.Reload();
        File.WriteAllText(_settings.SettingsPath, WithReplicas(3, "Debug"));

        Assert.Empty(_reloader.Reload());

        Assert.Equal(3, Replicas);
        Assert.True(_applied.TryGet("Logging:LogLevel:Default", out var level) && level == "Debug");
        Assert.False(_status.Problems.ContainsKey("config"));
        Assert.Contains(_events.Snapshot, e => e.Reason == "ConfigApplied");
    }

    [Fact]
    public void Reload_ListenersChanged_KeepsTheListenersOfTheStart()
    {
        File.WriteAllText(_settings.SettingsPath, WithReplicas(3).Replace("\"Gateway\": {", "\"Gateway\": { \"Proxy\": { \"Urls\": \"http://127.0.0.1:1\" },", StringComparison.Ordinal));

        Assert.Empty(_reloader.Reload());

        Assert.Equal((GatewaySpecLoader.DefaultProxyUrls, 3), (_catalog.Current.ProxyUrls, Replicas));
    }

    [Fact]
    public void Reload_ListenersChanged_AppliedByAHandover_OtherChangesByTheReloadAlone()
    {
        var reasons = new List<string>();
        using var reloader = new ConfigReloader(_settings, _applied, _catalog, _status, _events.Recorder, _time, NullLogger<ConfigReloader>.Instance)
        {
            ListenersChanged = reason =>
            {
                reasons.Add(reason);
                return Task.FromResult(new HandoverResult(true, 1234, "ready"));
            },
        };

        File.WriteAllText(_settings.SettingsPath, WithReplicas(3));
        Assert.Empty(reloader.Reload());
        Assert.Empty(reasons);

        File.WriteAllText(_settings.SettingsPath, WithReplicas(3).Replace("\"Gateway\": {", "\"Gateway\": { \"Proxy\": { \"Urls\": \"http://127.0.0.1:1\" },", StringComparison.Ordinal));
        Assert.Empty(reloader.Reload());
        Assert.Equal(["Proxy or Admin URLs changed in the settings file"], reasons);
        Assert.Equal(GatewaySpecLoader.DefaultProxyUrls, _catalog.Current.ProxyUrls); // this gateway keeps its own; the new one binds them
    }

    [Fact]
    public void Reload_APartCannotFollowTheNewSpec_EveryPartGoesBackAndTheFileIsRefused()
    {
        var seen = new List<int>();
        _catalog.Changed += spec =>
        {
            seen.Add(spec.Services.Single().Pods!.Replicas);
            if (spec.Services.Single().Pods!.Replicas == 3)
            {
                throw new InvalidOperationException("cannot route that");
            }
        };
        File.WriteAllText(_settings.SettingsPath, WithReplicas(3, "Debug"));

        var errors = _reloader.Reload();

        Assert.Equal($"{_settings.SettingsPath}: could not be applied: unexpected InvalidOperationException: cannot route that", Assert.Single(errors));
        Assert.Equal([3, 2], seen);
        Assert.Equal(2, Replicas);
        Assert.True(_applied.TryGet("Logging:LogLevel:Default", out var level) && level == "Warning");
    }

    [Fact]
    public async Task ExecuteAsync_AFileThatCannotBeApplied_ThePollGoesOnAndAppliesTheNextOne()
    {
        _catalog.Changed += spec =>
        {
            if (spec.Services.Single().Pods!.Replicas != 4)
            {
                throw new InvalidOperationException("cannot follow, not even back");
            }
        };
        await _reloader.StartAsync(CancellationToken.None);
        await _time.WaitForTimersAsync(1);

        File.WriteAllText(_settings.SettingsPath, WithReplicas(3));
        _time.Advance(ConfigReloader.PollInterval);
        await _events.WaitForAsync(e => e.Reason == "ConfigRejected", "the refusal");
        File.WriteAllText(_settings.SettingsPath, WithReplicas(4));
        _time.Advance(ConfigReloader.PollInterval);
        await _events.WaitForAsync(e => e.Reason == "ConfigApplied", "the next file applied");
        Assert.Equal(4, Replicas);

        await _reloader.StopAsync(CancellationToken.None);
        Assert.True(_reloader.ExecuteTask!.IsCompletedSuccessfully);
    }
}
