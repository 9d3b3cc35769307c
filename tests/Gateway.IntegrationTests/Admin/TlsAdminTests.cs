using System.Net;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>
/// An https admin listener bound to every interface: kubectl, which sends a token only over TLS,
/// verifies the gateway's own certificate from the kubeconfig and reads and writes with the token.
/// </summary>
public sealed class TlsAdminTests(TlsAdminGateway fixture) : IClassFixture<TlsAdminGateway>
{
    private GatewayProcess Gateway => fixture.Gateway;

    [SkippableFact]
    public async Task Kubectl_WithTheWrittenKubeconfig_ReadsAndPatchesWithTheToken()
    {
        Assert.Matches($"(?m)^{fixture.Pod} +1/1 +Running", await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods"));

        await Kubectl.RunAsync(Gateway.Kubeconfig, "patch", "pod", fixture.Pod, "--subresource=status", "--type=merge",
            "-p", AdminStatus.ConditionPatch(AdminGateway.Gate, "True"));

        using var admin = Gateway.AdminWithToken();
        Assert.Contains((await AdminGateway.GetPodsAsync(admin)).Items[0].Status.Conditions, c => c.Type == AdminGateway.Gate && c.Status == "True");
    }

    [Fact]
    public async Task Read_WithoutToken_401OverTls()
    {
        using var anonymous = new HttpClient(Gateway.AdminHandler()) { BaseAddress = Gateway.AdminUrl };

        await AdminStatus.ReadAsync(await anonymous.GetAsync("/api/v1/pods"), HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
    }
}
