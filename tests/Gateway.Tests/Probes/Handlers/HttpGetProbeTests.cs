using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Probes;
using Gateway.Probes.Handlers;
using Gateway.Runtimes;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Probes.Handlers;

public sealed class HttpGetProbeTests : IDisposable
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    // Generous where the timeout is not what is tested: process start, JIT and the first HTTP/2
    // connection can take most of a second while other test classes run in parallel.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    // The real clock only bounds each probe (ProbeTimeout) against a hung socket; the timeout tests run on a fake clock.
    private readonly HttpGetProbe _probe = new(TimeProvider.System);

    public void Dispose() => _probe.Dispose();

    [Theory]
    [InlineData(200, ProbeResult.Success)]
    [InlineData(399, ProbeResult.Success)]
    [InlineData(400, ProbeResult.Failure)]
    [InlineData(500, ProbeResult.Failure)]
    public async Task ProbeAsync_Status_MapsToResult(int status, ProbeResult expected)
    {
        await using var server = await LocalServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        var outcome = await _probe.ProbeAsync(Get(server.Port), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.False(outcome.IsError);
        Assert.Equal(expected, outcome.Result);
        if (expected == ProbeResult.Failure)
        {
            Assert.Equal($"HTTP probe failed with statuscode: {status}", outcome.Output);
        }

        // A final 3xx is a redirect the probe did not follow: success, with a warning (kubelet's probe.Warning).
        Assert.Equal(status == 399, outcome.Warning is not null);
    }

    [Fact]
    public async Task ProbeAsync_Ok_ReturnsBodyWithoutWarning()
    {
        await using var server = await LocalServer.StartAsync(context => context.Response.WriteAsync("healthy"));

        var outcome = await _probe.ProbeAsync(Get(server.Port, "/healthz"), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("healthy"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_DefaultPath_RequestsRoot()
    {
        string? path = null;
        await using var server = await LocalServer.StartAsync(context =>
        {
            path = context.Request.Path;
            return Task.CompletedTask;
        });

        var outcome = await _probe.ProbeAsync(new V1HTTPGetAction { Port = server.Port.ToString() }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("/", path);
    }

    [Fact]
    public async Task ProbeAsync_RedirectOnSameHost_IsFollowed()
    {
        await using var server = await LocalServer.StartAsync(context =>
        {
            if (context.Request.Path == "/start")
            {
                context.Response.Redirect("/final");
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("final:" + context.Request.Path);
        });

        var outcome = await _probe.ProbeAsync(Get(server.Port, "/start"), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("final:/final"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_RedirectToAnotherHost_IsSuccessWithWarning()
    {
        var followed = false;
        await using var server = await LocalServer.StartAsync(context =>
        {
            if (context.Request.Host.Host == "localhost")
            {
                followed = true;
                return Task.CompletedTask;
            }

            context.Response.Redirect($"http://localhost:{context.Connection.LocalPort}/elsewhere");
            return context.Response.WriteAsync("moved");
        });

        var outcome = await _probe.ProbeAsync(Get(server.Port), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.False(outcome.IsError);
        Assert.Equal("Probe terminated redirects, Response body: moved", outcome.Warning);
        Assert.False(followed);
    }

    [Theory]
    [InlineData(9, ProbeResult.Success)]
    [InlineData(10, ProbeResult.Failure)]
    public async Task ProbeAsync_RedirectChain_FailsFromTenRedirects(int redirects, ProbeResult expected)
    {
        await using var server = await LocalServer.StartAsync(context =>
        {
            var left = int.Parse(context.Request.Path.Value!.TrimStart('/'));
            if (left == 0)
            {
                return context.Response.WriteAsync("done");
            }

            context.Response.Redirect($"/{left - 1}");
            return Task.CompletedTask;
        });

        var outcome = await _probe.ProbeAsync(Get(server.Port, $"/{redirects}"), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(expected, outcome.Result);
        Assert.Null(outcome.Warning);
        if (expected == ProbeResult.Failure)
        {
            Assert.Contains("stopped after 10 redirects", outcome.Output);
        }
    }

    [Fact]
    public async Task ProbeAsync_RedirectToOtherScheme_Fails()
    {
        await using var server = await LocalServer.StartAsync(context =>
        {
            context.Response.Redirect($"ftp://127.0.0.1:{context.Connection.LocalPort}/");
            return Task.CompletedTask;
        });

        var outcome = await _probe.ProbeAsync(Get(server.Port), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Contains("unsupported protocol scheme \"ftp\"", outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_NoHeaders_SendsKubeletDefaults()
    {
        using var server = new RawHttpServer();

        var outcome = await _probe.ProbeAsync(Get(server.Port, "/healthz"), ProbeTargets.Target(), ProbeTimeout, default);

        var lines = await server.RequestLinesAsync();
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("GET /healthz HTTP/1.1", lines[0]);
        Assert.Contains($"Host: 127.0.0.1:{server.Port}", lines);
        Assert.Contains("User-Agent: kube-probe/1.32", lines);
        Assert.Contains("Accept: */*", lines);
        Assert.Contains("Connection: close", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("Accept-Encoding", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ProbeAsync_CustomHeaders_SentInOrderWithRepeats()
    {
        using var server = new RawHttpServer();
        var action = Get(server.Port);
        action.HttpHeaders = [Header("X-First", "1"), Header("X-Second", "2"), Header("X-First", "3"), Header("User-Agent", "custom/1.0")];

        await _probe.ProbeAsync(action, ProbeTargets.Target(), ProbeTimeout, default);

        var lines = await server.RequestLinesAsync();
        var first = Array.FindIndex(lines.ToArray(), line => line.StartsWith("X-First:", StringComparison.Ordinal));
        var second = Array.FindIndex(lines.ToArray(), line => line.StartsWith("X-Second:", StringComparison.Ordinal));
        Assert.Equal("X-First: 1, 3", lines[first]);
        Assert.Equal("X-Second: 2", lines[second]);
        Assert.True(first < second);
        Assert.Contains("User-Agent: custom/1.0", lines);
        Assert.DoesNotContain("User-Agent: kube-probe/1.32", lines);
        Assert.Contains("Accept: */*", lines);
    }

    [Fact]
    public async Task ProbeAsync_EmptyHeaderValue_RemovesDefault()
    {
        using var server = new RawHttpServer();
        var action = Get(server.Port);
        action.HttpHeaders = [Header("User-Agent", ""), Header("Accept", "")];

        await _probe.ProbeAsync(action, ProbeTargets.Target(), ProbeTimeout, default);

        var lines = await server.RequestLinesAsync();
        Assert.DoesNotContain(lines, line => line.StartsWith("User-Agent", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, line => line.StartsWith("Accept", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ProbeAsync_HostHeader_SetsRequestHost()
    {
        using var server = new RawHttpServer();
        var action = Get(server.Port);
        action.HttpHeaders = [Header("Host", "app.example.test")];

        await _probe.ProbeAsync(action, ProbeTargets.Target(), ProbeTimeout, default);

        var lines = await server.RequestLinesAsync();
        Assert.Single(lines, line => line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Host: app.example.test", lines);
    }

    [Fact]
    public async Task ProbeAsync_HostHeaderOnRelativeRedirect_IsKept()
    {
        var hosts = new List<string>();
        await using var server = await LocalServer.StartAsync(context =>
        {
            hosts.Add(context.Request.Host.Value!);
            if (context.Request.Path == "/start")
            {
                context.Response.Redirect("/final");
            }

            return Task.CompletedTask;
        });
        var action = Get(server.Port, "/start");
        action.HttpHeaders = [Header("Host", "app.example.test")];

        var outcome = await _probe.ProbeAsync(action, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal(["app.example.test", "app.example.test"], hosts);
    }

    [Fact]
    public async Task ProbeAsync_NamedPort_ResolvesToHostPort()
    {
        await using var server = await LocalServer.StartAsync(context => context.Response.WriteAsync("named"));
        var target = ProbeTargets.Target(new PortMapping("http", 8080, server.Port));

        var outcome = await _probe.ProbeAsync(new V1HTTPGetAction { Port = "http" }, target, ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("named"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_UnknownPortName_IsError()
    {
        var target = ProbeTargets.Target(new PortMapping("http", 8080, 18080));

        var outcome = await _probe.ProbeAsync(new V1HTTPGetAction { Port = "metrics" }, target, ProbeTimeout, default);

        Assert.True(outcome.IsError);
        Assert.Equal("strconv.Atoi: parsing \"metrics\": invalid syntax", outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_SlowServer_FailsAfterTimeout()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalServer.StartAsync(context =>
        {
            received.TrySetResult();
            return Cancellation.WhenCancelled(context.RequestAborted);
        });

        var outcome = await ProbePastTimeoutAsync(server.Port, received.Task);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.False(outcome.IsError);
        Assert.Contains("context deadline exceeded", outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_SlowBody_FailsAfterTimeout()
    {
        var sentHeaders = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalServer.StartAsync(async context =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            sentHeaders.TrySetResult();
            await Cancellation.WhenCancelled(context.RequestAborted);
        });

        var outcome = await ProbePastTimeoutAsync(server.Port, sentHeaders.Task);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
    }

    /// <summary>
    /// Probes a server that never finishes its answer, on a fake clock: once the server holds the
    /// request, the clock moves past the probe's one-second timeout. Nothing else can end the probe.
    /// </summary>
    private static async Task<ProbeOutcome> ProbePastTimeoutAsync(int port, Task serverHoldsTheRequest)
    {
        var time = new FakeTimeProvider();
        using var probe = new HttpGetProbe(time);
        var probing = probe.ProbeAsync(Get(port), ProbeTargets.Target(), OneSecond, default);
        await serverHoldsTheRequest.WaitAsync(ConditionSignal.SafetyNet);

        time.Advance(OneSecond);

        return await probing.WaitAsync(ConditionSignal.SafetyNet);
    }

    [Fact]
    public async Task ProbeAsync_ConnectionRefused_IsFailureNotError()
    {
        var port = ProbeTargets.ClosedPort();

        var outcome = await _probe.ProbeAsync(Get(port, "/healthz"), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.False(outcome.IsError);
        Assert.Equal($"Get \"http://127.0.0.1:{port}/healthz\": dial tcp 127.0.0.1:{port}: connect: connection refused", outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_LargeBody_TruncatedTo10KiB()
    {
        await using var server = await LocalServer.StartAsync(context => context.Response.WriteAsync(new string('a', 50_000)));

        var outcome = await _probe.ProbeAsync(Get(server.Port), ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal(new string('a', 10 * 1024), outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_HttpsWithSelfSignedCertificate_Succeeds()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = await LocalServer.StartAsync(context => context.Response.WriteAsync("tls:" + context.Request.IsHttps), certificate);
        var action = Get(server.Port);
        action.Scheme = "HTTPS";

        var outcome = await _probe.ProbeAsync(action, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("tls:True"), outcome);
    }

    private static V1HTTPGetAction Get(int port, string? path = null) => new() { Port = port.ToString(), Path = path };

    private static V1HTTPHeader Header(string name, string value) => new() { Name = name, Value = value };

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=probe-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // The probe checks no certificate, so fixed dates do: the test reads no clock.
        using var created = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
