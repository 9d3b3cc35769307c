using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Telemetry;
using OpenTelemetry.Metrics;

namespace Gateway.Admin;

/// <summary>
/// The admin listener: a second, small web application on its own port (loopback by default), so
/// that nothing the proxy routes can reach it and it cannot shadow a proxied path.
/// </summary>
internal sealed class AdminServer(
    string urls, PodRegistry registry, PodManager pods, EventRecorder events, GatewayStatus status, StatusPage statusPage,
    MeterProvider meterProvider, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new AdminLoggerFactory(loggerFactory));
        builder.Services.AddSingleton<AdminMarker>();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseUrls(urls);
        _app = builder.Build();
        AdminApi.Map(_app, registry, pods, events, status);
        _app.MapGet("/", () => Results.Content(statusPage.Render(), "text/html; charset=utf-8"));
        _app.MapPrometheusScrapingEndpoint("/metrics", meterProvider, configureBranchedPipeline: null, optionsName: null);
        await _app.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
