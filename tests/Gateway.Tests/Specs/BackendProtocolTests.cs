using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class BackendProtocolTests : IDisposable
{
    private readonly SettingsFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(null, null, BackendProtocol.Http)]
    [InlineData("http", null, BackendProtocol.Http)]
    [InlineData("grpc", null, BackendProtocol.Grpc)]
    [InlineData("grpc-api", null, BackendProtocol.Grpc)]
    [InlineData("GRPC", null, BackendProtocol.Grpc)]
    [InlineData("h2c", null, BackendProtocol.H2c)]
    [InlineData("grpcweb", null, BackendProtocol.Http)]
    [InlineData("http", "kubernetes.io/h2c", BackendProtocol.H2c)]
    [InlineData("http", "grpc", BackendProtocol.Grpc)]
    [InlineData("grpc", "http", BackendProtocol.Http)] // appProtocol wins over the name
    public void Infer_PortNameAndAppProtocol(string? name, string? appProtocol, BackendProtocol expected) =>
        Assert.Equal(expected, BackendProtocols.Infer(name, appProtocol));

    [Theory]
    [InlineData("", "http", BackendProtocol.Http)]
    [InlineData("", "grpc", BackendProtocol.Grpc)]
    [InlineData("\"Protocol\": \"h2c\",", "http", BackendProtocol.H2c)]
    [InlineData("\"Protocol\": \"HTTP\",", "grpc", BackendProtocol.Http)] // set, it wins over the port's name
    public void Load_ProtocolSetOrFromTheRoutedPortsName(string protocol, string portName, BackendProtocol expected)
    {
        var spec = _files.Load($$"""
            { "Gateway": { "Services": { "web": { {{protocol}} "Template": { "spec": { "containers": [ {
                "name": "web", "command": [ "app" ], "ports": [ { "name": "{{portName}}", "containerPort": 9000 } ] } ] } } } } } }
            """, out var errors);

        Assert.Empty(errors);
        Assert.Equal(expected, spec.Services.Single().Protocol);
    }

    [Theory]
    [InlineData("appProtocol: kubernetes.io/h2c", "http", BackendProtocol.H2c)]
    [InlineData("appProtocol: grpc", "http", BackendProtocol.Grpc)]
    [InlineData("", "grpc", BackendProtocol.Grpc)]
    [InlineData("", "http", BackendProtocol.Http)]
    public void Load_ManifestService_AppProtocolOrTheTargetPortsName(string appProtocol, string targetName, BackendProtocol expected)
    {
        _files.Write("app.yaml", $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: app }
            spec:
              selector: { matchLabels: { app: app } }
              template:
                metadata: { labels: { app: app } }
                spec:
                  containers:
                  - name: app
                    command: [ app ]
                    ports:
                    - { name: metrics, containerPort: 9090 }
                    - { name: {{targetName}}, containerPort: 8080 }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: app }
            spec:
              selector: { app: app }
              ports:
              - port: 80
                targetPort: {{targetName}}
                {{appProtocol}}
            """);

        var spec = _files.Load("""{ "Gateway": { "Services": { "app": { "Manifest": "app.yaml" } } } }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(expected, spec.Services.Single().Protocol);
    }
}
