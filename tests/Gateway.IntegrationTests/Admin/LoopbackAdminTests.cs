using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>A real gateway whose admin listener is on loopback (the default): reads are open, writes need the token.</summary>
public sealed class LoopbackAdminTests(LoopbackAdminGateway fixture) : IClassFixture<LoopbackAdminGateway>
{
    private GatewayProcess Gateway => fixture.Gateway;

    private string StatusPath => $"/api/v1/namespaces/default/pods/{fixture.Pod}/status";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    private static HttpClient Anonymous(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Read_WithoutToken_Allowed()
    {
        using var anonymous = Anonymous(Gateway.AdminPort);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/namespaces/default/pods")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Patch_WithoutTheRightToken_401(string? token)
    {
        using var anonymous = Anonymous(Gateway.AdminPort);
        using var request = new HttpRequestMessage(HttpMethod.Patch, StatusPath) { Content = AdminStatus.SetCondition(AdminGateway.Gate, "True") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        await AdminStatus.ReadAsync(await anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "Unauthorized");

        // A read wrongly authenticated is refused too, as the API server refuses a bad token.
        using var wrong = Anonymous(Gateway.AdminPort);
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token");
        await AdminStatus.ReadAsync(await wrong.GetAsync("/api/v1/pods"), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    /// <summary>The writes on Deployments and pods (scale, rollout, delete) need the token as every write does, and change nothing without it.</summary>
    [Theory]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", """{ "spec": { "replicas": 0 } }""")]
    [InlineData("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", """{ "apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": { "name": "web" }, "spec": { "replicas": 0 } }""")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", """{ "spec": { "replicas": 0 } }""")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/{pod}", null)]
    public async Task DeploymentAndPodWrites_WithoutToken_401AndNothingChanges(string method, string path, string? body)
    {
        using var anonymous = Anonymous(Gateway.AdminPort);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{pod}", fixture.Pod, StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = Json(body);
        }

        await AdminStatus.ReadAsync(await anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "Unauthorized");

        var deployment = await Gateway.Admin.GetStringAsync("/apis/apps/v1/namespaces/default/deployments/web");
        Assert.Contains("\"replicas\":1", deployment, StringComparison.Ordinal);
        Assert.Contains(fixture.Pod, await Gateway.Admin.GetStringAsync("/api/v1/namespaces/default/pods"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_DeclaredGateWithToken_Applied()
    {
        var response = await Gateway.Admin.PatchAsync(StatusPath, AdminStatus.SetCondition(AdminGateway.Gate, "True"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answered = k8s.KubernetesJson.Deserialize<k8s.Models.V1Pod>(await response.Content.ReadAsStringAsync());
        Assert.Contains(answered.Status.Conditions, c => c.Type == AdminGateway.Gate && c.Status == "True");
        await Gateway.WaitForPodsAsync(p => p[0].Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "the gate set and the pod Ready");
    }

    [Fact]
    public async Task Patch_UndeclaredCondition_422InvalidNamingTheFieldAndNothingStored()
    {
        var response = await Gateway.Admin.PatchAsync(StatusPath, AdminStatus.SetCondition("invented.example/x", "False"));

        var status = await AdminStatus.ReadAsync(response, HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal($"Pod \"{fixture.Pod}\" is invalid: status.conditions[0].type: Unsupported value: \"invented.example/x\": supported values: \"{AdminGateway.Gate}\"", (string?)status["message"]);
        Assert.Equal("status.conditions[0].type", (string?)status["details"]!["causes"]![0]!["field"]);
        Assert.Equal("pods", (string?)status["details"]!["kind"]);
        Assert.DoesNotContain((await Gateway.GetPodAsync(fixture.Pod))!.Status.Conditions, c => c.Type == "invented.example/x");
    }

    [Theory]
    [InlineData("not json", HttpStatusCode.BadRequest, "BadRequest")]
    [InlineData("", HttpStatusCode.BadRequest, "BadRequest")]
    [InlineData("[]", HttpStatusCode.BadRequest, "BadRequest")]
    [InlineData("\"status\"", HttpStatusCode.BadRequest, "BadRequest")]
    [InlineData("""{"status":{"conditions":{"type":"example.com/lb"}}}""", HttpStatusCode.UnprocessableEntity, "Invalid")]
    [InlineData("""{"status":{"conditions":[{"type":5,"status":"True"}]}}""", HttpStatusCode.UnprocessableEntity, "Invalid")]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":1}]}}""", HttpStatusCode.UnprocessableEntity, "Invalid")]
    [InlineData("""{"status":{"conditions":["example.com/lb"]}}""", HttpStatusCode.UnprocessableEntity, "Invalid")]
    [InlineData("""{"status":[]}""", HttpStatusCode.UnprocessableEntity, "Invalid")]
    public async Task Patch_MalformedBody_StatusNeverAnEmpty500(string body, HttpStatusCode code, string reason) =>
        await AdminStatus.ReadAsync(await Gateway.Admin.PatchAsync(StatusPath, Json(body)), code, reason);

    /// <remarks>
    /// Over by 64 KiB, so that the client has sent it all by the time the gateway answers (the memory
    /// test in <see cref="OpenAdminTests"/> sends 11 MB as a hostile client does). With a length, the
    /// client asks first (<c>Expect: 100-continue</c>) and gets the 413 before sending a byte.
    /// </remarks>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Patch_BodyOver1MiB_413Status(bool chunked)
    {
        var body = Encoding.UTF8.GetBytes(new string(' ', (1 << 20) + (64 << 10)) + "{}");
        using var request = new HttpRequestMessage(HttpMethod.Patch, StatusPath) { Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body) };
        request.Headers.ExpectContinue = !chunked;

        await AdminStatus.ReadAsync(await Gateway.Admin.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
    }

    [Theory]
    [InlineData("GET", "/api/v1/nothing", HttpStatusCode.NotFound, "NotFound")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/nosuch", HttpStatusCode.NotFound, "NotFound")]
    [InlineData("POST", "/api/v1/namespaces/default/pods", HttpStatusCode.MethodNotAllowed, "MethodNotAllowed")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/nosuch", HttpStatusCode.MethodNotAllowed, "MethodNotAllowed")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/nosuch", HttpStatusCode.NotFound, "NotFound")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/default/deployments/web", HttpStatusCode.MethodNotAllowed, "MethodNotAllowed")]
    public async Task Request_UnknownPathOrVerb_Status(string method, string path, HttpStatusCode code, string reason) =>
        await AdminStatus.ReadAsync(await Gateway.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), code, reason);

    /// <remarks>kubectl sends the kubeconfig's token only to an https server (client-go reads credentials for TLS transports only), so on this http listener it reads as loopback allows.</remarks>
    [SkippableFact]
    public async Task Kubectl_WithTheWrittenKubeconfig_GetsPods() =>
        Assert.Matches($"(?m)^{fixture.Pod} +[01]/1 +Running", await Kubectl.RunAsync(Gateway.Kubeconfig, "get", "pods"));

    [Theory]
    [InlineData("evil.example", HttpStatusCode.Forbidden)]
    [InlineData("localhost.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("gateway.test", HttpStatusCode.OK)]
    public async Task Request_HostHeader_OnlyLoopbackNamesIpLiteralsAndConfiguredHosts(string host, HttpStatusCode want)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Host = $"{host}:{Gateway.AdminPort}";

        var response = await Gateway.Admin.SendAsync(request);

        if (want == HttpStatusCode.OK)
        {
            Assert.Equal(want, response.StatusCode);
        }
        else
        {
            var status = await AdminStatus.ReadAsync(response, want, "Forbidden");
            Assert.Contains($"host \"{host}\"", (string?)status["message"], StringComparison.Ordinal);
            Assert.Contains("Gateway:Admin:Hosts", (string?)status["message"], StringComparison.Ordinal);
        }
    }
}
