using Gateway.Probes;
using Gateway.Probes.Handlers;
using Gateway.Tests.TestSupport;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Gateway.Tests.Probes.Handlers;

public sealed class GrpcProbeTests : IAsyncLifetime, IDisposable
{
    // Generous where the timeout is not what is tested: process start, JIT and the first HTTP/2
    // connection can take most of a second while other test classes run in parallel.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    // The real clock only bounds each probe against a hung socket. It must be the real one: a gRPC deadline is a
    // wall-clock instant that the client compares with its own clock, so a fake clock's "now" would be long past.
    private readonly GrpcProbe _probe = new(TimeProvider.System);
    private readonly HealthServiceImpl _health = new();
    private LocalServer? _server;

    private int Port => _server!.Port;

    public async Task InitializeAsync()
    {
        _server = await LocalServer.StartAsync(
            HttpProtocols.Http2,
            certificate: null,
            services =>
            {
                services.AddGrpc();
                services.AddSingleton(_health);
            },
            app => app.MapGrpcService<HealthServiceImpl>());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => _probe.Dispose();

    [Fact]
    public async Task ProbeAsync_Serving_Succeeds()
    {
        _health.SetStatus("", ServingStatus.Serving);

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = Port }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Success("service is serving"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_NotServing_Fails()
    {
        _health.SetStatus("", ServingStatus.NotServing);

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = Port }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Failure("service unhealthy (responded with \"NOT_SERVING\")"), outcome);
    }

    [Fact]
    public async Task ProbeAsync_ServiceName_IsPassed()
    {
        _health.SetStatus("", ServingStatus.NotServing);
        _health.SetStatus("orders", ServingStatus.Serving);

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = Port, Service = "orders" }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Success, outcome.Result);
    }

    [Fact]
    public async Task ProbeAsync_UnknownService_Fails()
    {
        _health.SetStatus("", ServingStatus.Serving);

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = Port, Service = "missing" }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.False(outcome.IsError);
    }

    [Fact]
    public async Task ProbeAsync_StatusChanges_SeenOnCachedChannel()
    {
        _health.SetStatus("", ServingStatus.Serving);
        var first = await _probe.ProbeAsync(new V1GRPCAction { Port = Port }, ProbeTargets.Target(), ProbeTimeout, default);
        _health.SetStatus("", ServingStatus.NotServing);

        var second = await _probe.ProbeAsync(new V1GRPCAction { Port = Port }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.True(first.Result == ProbeResult.Success, first.Output);
        Assert.Equal(ProbeResult.Failure, second.Result);
    }

    [Fact]
    public async Task ProbeAsync_NoServer_Fails()
    {
        var port = ProbeTargets.ClosedPort();

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = port }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.False(outcome.IsError);
        Assert.Contains($"127.0.0.1:{port}", outcome.Output);
    }

    [Fact]
    public async Task ProbeAsync_ServerWithoutTheHealthService_FailsInTheKubeletsWords()
    {
        // A gRPC server that has no grpc.health.v1.Health answers every call with UNIMPLEMENTED (trailers only).
        await using var server = await LocalServer.StartAsync(
            HttpProtocols.Http2,
            certificate: null,
            configureServices: null,
            app => app.Run(context =>
            {
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = "12";
                context.Response.Headers["grpc-message"] = "Service is unimplemented.";
                return Task.CompletedTask;
            }));

        var outcome = await _probe.ProbeAsync(new V1GRPCAction { Port = server.Port }, ProbeTargets.Target(), ProbeTimeout, default);

        Assert.Equal(ProbeOutcome.Failure("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): Service is unimplemented."), outcome);
    }
}
