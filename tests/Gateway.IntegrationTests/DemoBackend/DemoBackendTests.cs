using System.Diagnostics;
using System.Net;
using Gateway.IntegrationTests.Infrastructure;
using Grpc.Health.V1;
using Grpc.Net.Client;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Gateway.IntegrationTests.DemoBackend;

public sealed class DemoBackendTests
{
    [Fact]
    public async Task Root_Get_ReturnsHelloWithPodName()
    {
        using var backend = await DemoBackendProcess.StartAsync("web-7d9f8-x2k4q");

        using var response = await backend.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("web-7d9f8-x2k4q", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_AfterHealthyFor_Returns500UntilRecover()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod", "--healthy-for", "2");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, "/healthz"));

        await UntilStatusAsync(backend, "/healthz", HttpStatusCode.InternalServerError);
        await PostAsync(backend, "/admin/recover");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, "/healthz"));
    }

    [Theory]
    [InlineData("/admin/fail-liveness", "/healthz", HttpStatusCode.InternalServerError)]
    [InlineData("/admin/fail-readiness", "/readyz", HttpStatusCode.ServiceUnavailable)]
    public async Task Probe_AfterAdminFail_FailsUntilRecover(string fail, string probe, HttpStatusCode failing)
    {
        using var backend = await DemoBackendProcess.StartAsync("pod");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, probe));

        await PostAsync(backend, fail);
        Assert.Equal(failing, await StatusAsync(backend, probe));
        await PostAsync(backend, "/admin/recover");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, probe));
    }

    [Fact]
    public async Task Readyz_BeforeReadyAfter_Returns503ThenOk()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod", "--ready-after", "2");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(backend, "/readyz"));
        await UntilStatusAsync(backend, "/readyz", HttpStatusCode.OK);
    }

    [Fact]
    public async Task Slow_Get_AnswersOkAfterTheDelay()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod");
        var stopwatch = Stopwatch.StartNew();

        using var response = await backend.Http.GetAsync("/slow?ms=300");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Redirect_Get_Returns302WithLocation()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod");

        using var response = await backend.Http.GetAsync("/redirect?loc=" + Uri.EscapeDataString("http://example.test/next?a=1"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(new Uri("http://example.test/next?a=1"), response.Headers.Location);
    }

    [Fact]
    public async Task Echo_Put_ReturnsMethodPathHeadersAndBody()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/echo?x=1") { Content = new StringContent("the body") };
        request.Headers.Add("X-Demo", "value-1");

        using var response = await backend.Http.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PUT /echo?x=1", lines[0]);
        Assert.Contains("X-Demo: value-1", lines);
        Assert.Equal("the body", lines[^1]);
    }

    [Fact]
    public async Task GrpcHealth_AfterFailLiveness_NotServingUntilRecover()
    {
        var grpcPort = FreePort.Get();
        using var backend = await DemoBackendProcess.StartAsync("pod", "--grpc-port", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var health = new Health.HealthClient(channel);

        Assert.Equal([ServingStatus.Serving, ServingStatus.Serving], await CheckAsync(health));
        await PostAsync(backend, "/admin/fail-liveness");
        Assert.Equal([ServingStatus.NotServing, ServingStatus.NotServing], await CheckAsync(health));
        await PostAsync(backend, "/admin/recover");
        Assert.Equal([ServingStatus.Serving, ServingStatus.Serving], await CheckAsync(health));
    }

    [Fact]
    public async Task Sigterm_WithSlowRequestInFlight_CompletesItThenWaitsShutdownDelayThenExitsWithExitCode()
    {
        using var backend = await DemoBackendProcess.StartAsync("pod", "--shutdown-delay", "1", "--exit-code", "3");
        // A connection Kestrel has already accepted carries the slow request; a round trip on a second connection
        // then gives the server time to read it, so it is in flight, not waiting in the accept queue, at SIGTERM.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, "/"));
        var sent = Stopwatch.StartNew();
        var slow = backend.Http.GetAsync("/slow?ms=1500");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(backend, "/"));

        backend.Terminate();
        using var response = await slow.WaitAsync(Poll.DefaultTimeout);
        var exitCode = await backend.WaitForExitAsync();
        var exited = sent.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, exitCode);
        // The server began the slow request after it was sent, so in the right order the exit comes 1.5 s + 1 s after
        // the send at the earliest; a delay that ran alongside the request would end it about 1 s sooner.
        Assert.True(exited >= TimeSpan.FromSeconds(2.4), $"exited {exited} after the slow request was sent:\n{backend.Output}");
    }

    [Theory]
    [InlineData("--help", 0, "--healthy-for")]
    [InlineData("--no-such-flag", 2, "--no-such-flag")]
    [InlineData("--crash-after 0.5 --exit-code 42", 42, "crashing")]
    public async Task CommandLine_RunToExit_ExitsWithCodeAndSaysWhy(string args, int expectedExitCode, string expectedOutput)
    {
        var (exitCode, output) = await DemoBackendProcess.RunToExitAsync(args.Split(' '));

        Assert.Equal(expectedExitCode, exitCode);
        Assert.Contains(expectedOutput, output);
    }

    private static async Task<HttpStatusCode> StatusAsync(DemoBackendProcess backend, string path)
    {
        using var response = await backend.Http.GetAsync(path);
        return response.StatusCode;
    }

    private static Task UntilStatusAsync(DemoBackendProcess backend, string path, HttpStatusCode expected) =>
        Poll.UntilAsync(async () => await StatusAsync(backend, path) == expected, $"{path} to answer {(int)expected}");

    private static async Task PostAsync(DemoBackendProcess backend, string path)
    {
        using var response = await backend.Http.PostAsync(path, content: null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<ServingStatus[]> CheckAsync(Health.HealthClient health) =>
    [
        (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status,
        (await health.CheckAsync(new HealthCheckRequest { Service = "demo" })).Status,
    ];
}
