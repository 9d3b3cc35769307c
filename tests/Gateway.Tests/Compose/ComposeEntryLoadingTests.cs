using Gateway.Compose;
using Gateway.Specs;
using Gateway.Tests.Specs;

namespace Gateway.Tests.Compose;

/// <summary>A <c>Gateway:Services</c> entry naming a compose file, loaded as the program loads settings.</summary>
public sealed class ComposeEntryLoadingTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public ComposeEntryLoadingTests() => ComposeEntries.Expand = ComposeServices.Load; // as Program.cs wires it

    public void Dispose() => _files.Dispose();

    private const string ComposeYaml = """
        services:
          web:
            image: web
            command: [web, --port, "8080"]
            env_file: web.env
            ports: ["8080:80"]
            depends_on: {db: {condition: service_healthy}}
            deploy: {replicas: 2}
          db:
            image: db
            command: [db]
            healthcheck: {test: [CMD, db, --ping], interval: 2s}
        """;

    [Fact]
    public void ComposeEntry_StandsForItsServices_PrefixedByTheEntrysName_AndWatchesItsFiles()
    {
        var compose = _files.Write("compose.yaml", ComposeYaml);
        var env = _files.Write("web.env", "A=1\n");
        var spec = _files.Load("""{ "Gateway": { "Services": { "shop": { "Compose": "compose.yaml", "Runtime": "Process" }, "other": { "Route": { "Path": "/other/{**rest}" }, "Template": { "spec": { "containers": [ { "name": "o", "command": ["o"] } ] } } } } } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(["other", "shop-db", "shop-web"], spec.Services.Select(s => s.Name).Order());
        var web = spec.Services.Single(s => s.Name == "shop-web");
        var db = spec.Services.Single(s => s.Name == "shop-db");
        Assert.Equal(2, web.Pods!.Replicas);
        Assert.Equal(["shop-web.localhost", "*:8080"], web.Route.Hosts);
        Assert.Equal("A", Assert.Single(web.Pods.PodSpec.Containers[0].Env).Name);
        Assert.Equal(2, db.Pods!.PodSpec.Containers[0].ReadinessProbe.PeriodSeconds);
        Assert.Equal([compose, env], web.SourceFiles);
        Assert.Equal([compose, env], db.SourceFiles); // every service of the file reloads with any of its files
    }

    [Fact]
    public void ComposeEntry_ItsFilesErrors_NameTheSettingAndTheField()
    {
        _files.Write("compose.yaml", "services:\n  web: {command: [x], build: .}\n");
        _files.Load("""{ "Gateway": { "Services": { "shop": { "Compose": "compose.yaml" } } } }""", out var errors);

        Assert.Equal([$"Gateway:Services:shop:Compose(compose.yaml).services.web.build: Forbidden: not supported by the gateway: {ComposeFields.Refused["build"]}"], errors);
    }

    [Theory]
    [InlineData("""{ "Compose": "missing.yaml" }""", "Gateway:Services:shop:Compose(missing.yaml): Not found: no such file; a relative path is relative to the settings file's folder")]
    [InlineData("""{ "Compose": "compose.yaml", "Runtime": "Static" }""", "Gateway:Services:shop:Runtime: Unsupported value: \"Static\": supported values: \"Process\", \"Docker\"")]
    [InlineData("""{ "Compose": "compose.yaml", "Replicas": 3 }""", "Gateway:Services:shop:Replicas: Invalid value: \"Replicas\": unknown field; supported fields: Compose, Runtime")]
    public void ComposeEntry_BadSetting_IsAnError(string entry, string expected)
    {
        _files.Write("compose.yaml", ComposeYaml);
        _files.Write("web.env", "A=1\n");
        _files.Load($$"""{ "Gateway": { "Services": { "shop": {{entry}} } } }""", out var errors);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void ComposeEntry_ATranslatedNameTakenByAnotherEntry_IsAnError()
    {
        _files.Write("compose.yaml", ComposeYaml);
        _files.Write("web.env", "A=1\n");
        _files.Load("""{ "Gateway": { "Services": { "shop": { "Compose": "compose.yaml" }, "shop-db": { "Route": { "Path": "/db/{**rest}" }, "Template": { "spec": { "containers": [ { "name": "o", "command": ["o"] } ] } } } } } }""", out var errors);

        Assert.Equal(["Gateway:Services:shop:Compose(compose.yaml): Duplicate value: \"shop-db\": another entry of Gateway:Services has this name; rename one of them"], errors);
    }
}
