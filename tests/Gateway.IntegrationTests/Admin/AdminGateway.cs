using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// One gateway shared by the tests of a class: a pod whose readiness gate <see cref="Gate"/> only a
/// PATCH can set, its admin listener on <see cref="Host"/>.
/// </summary>
public abstract class AdminGateway : IAsyncLifetime
{
    public const string Gate = "example.com/lb";

    private GatewayProcess? _gateway;

    internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public string Pod { get; private set; } = "";

    /// <summary>The admin listener's address.</summary>
    protected abstract string Host { get; }

    /// <summary><c>http</c>, or <c>https</c> with the gateway's own certificate.</summary>
    protected virtual string Scheme => "http";

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync($$"""
            { "web": { "Template": { "spec": {
                "readinessGates": [ { "conditionType": "{{Gate}}" } ],
                "containers": [ { "name": "web", "command": [ "dotnet", {{GatewayProcess.DemoDll}} ], "ports": [ { "containerPort": 8080 } ] } ] } } } }
            """, adminHost: Host, adminScheme: Scheme, extraArgs: ["--Gateway:Admin:Hosts:0=gateway.test"]);
        using var admin = _gateway.AdminWithToken();
        await Poll.UntilAsync(async () => (await admin.GetStringAsync("/api/v1/namespaces/default/pods")).Contains("\"name\":\"web-", StringComparison.Ordinal), "the pod listed");
        Pod = (await GetPodsAsync(admin)).Items.Single().Metadata.Name;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    internal static async Task<k8s.Models.V1PodList> GetPodsAsync(HttpClient admin) =>
        k8s.KubernetesJson.Deserialize<k8s.Models.V1PodList>(await admin.GetStringAsync("/api/v1/namespaces/default/pods"));
}

/// <summary>The default: the admin listener on 127.0.0.1.</summary>
public sealed class LoopbackAdminGateway : AdminGateway
{
    protected override string Host => "127.0.0.1";
}

/// <summary>The admin listener on every interface (0.0.0.0); the tests still connect only to 127.0.0.1.</summary>
public sealed class OpenAdminGateway : AdminGateway
{
    protected override string Host => "0.0.0.0";
}

/// <summary>The admin listener on every interface over https, with the certificate the gateway makes for itself.</summary>
public sealed class TlsAdminGateway : AdminGateway
{
    protected override string Host => "0.0.0.0";

    protected override string Scheme => "https";
}
