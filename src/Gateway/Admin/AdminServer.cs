using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Routing;
using Gateway.Telemetry;
using OpenTelemetry.Metrics;

namespace Gateway.Admin;

/// <summary>
/// The admin listener: a second, small web application on its own port (loopback by default), so
/// that nothing the proxy routes can reach it and it cannot shadow a proxied path. It reads the
/// gateway's state from the main application's <paramref name="services"/>.
/// </summary>
internal sealed class AdminServer(
    string urls, IServiceProvider services, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
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
        AdminApi.Map(_app, services.GetRequiredService<PodRegistry>(), services.GetRequiredService<PodManager>(), services.GetRequiredService<EventRecorder>(),
            services.GetRequiredService<GatewayStatus>(), services.GetRequiredService<EndpointTable>(), services.GetRequiredService<TimeProvider>());
        var statusPage = services.GetRequiredService<StatusPage>();
        _app.MapGet("/", () => Results.Content(statusPage.Render(), "text/html; charset=utf-8"));
        _app.MapPrometheusScrapingEndpoint("/metrics", services.GetRequiredService<MeterProvider>(), configureBranchedPipeline: null, optionsName: null);
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
