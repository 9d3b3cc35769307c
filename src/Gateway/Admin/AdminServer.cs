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
/// gateway's state from the main application's <paramref name="services"/>; <paramref name="access"/>
/// says who may reach it.
/// </summary>
internal sealed partial class AdminServer(
    string urls, AdminAccess access, IServiceProvider services, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Makes Kestrel listen on the admin sockets the gateway bound (so that a hand-over can pass them); by the URLs when null.</summary>
    public Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? Listen { get; init; }

    /// <summary>The gateway's hand-over, for <c>POST /gateway/v1/handover</c>; not mapped when null.</summary>
    public Func<string, Task<(bool Succeeded, int? Pid, string Message)>>? HandOver { get; init; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Nothing is read from the working folder: the admin listener's settings come from the gateway's
        // own (as the proxy host's do). The builder's defaults would read an appsettings.json there and
        // watch the whole folder tree for changes (thousands of inotify watches when started in a repository).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(); // where UseUrls writes
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new AdminLoggerFactory(loggerFactory));
        builder.Services.AddSingleton<AdminMarker>();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        if (Listen is null)
        {
            builder.WebHost.UseUrls(urls);
        }
        if (access.Certificate is not null)
        {
            // The slim builder leaves https out unless asked.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxRequestBodySize = AdminAccessMiddleware.MaxBodyBytes;
            if (access.Certificate is { } certificate)
            {
                o.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }

            Listen?.Invoke(o);
        });
        _app = builder.Build();
        var errors = new AdminErrorsMiddleware(loggerFactory.CreateLogger<AdminErrorsMiddleware>());
        var door = new AdminAccessMiddleware(access, loggerFactory.CreateLogger<AdminAccessMiddleware>());
        _app.Use(errors.InvokeAsync);
        _app.Use(door.InvokeAsync);
        _app.UseWebSockets();
        AdminApi.Map(_app, services.GetRequiredService<PodRegistry>(), services.GetRequiredService<PodManager>(), services.GetRequiredService<EventRecorder>(),
            services.GetRequiredService<GatewayStatus>(), services.GetRequiredService<EndpointTable>(), services.GetRequiredService<TimeProvider>());
        DeploymentApi.Map(_app, services.GetRequiredService<Specs.ServiceCatalog>(), services.GetRequiredService<DeploymentStore>(), services.GetRequiredService<PodRegistry>(),
            services.GetRequiredService<PodManager>(), services.GetRequiredService<TimeProvider>());
        JobApi.Map(_app, services.GetRequiredService<Specs.ServiceCatalog>(), services.GetRequiredService<PodRegistry>(), services.GetRequiredService<TimeProvider>());
        if (HandOver is { } handOver)
        {
            MapHandover(_app, handOver);
        }

        var statusPage = services.GetRequiredService<StatusPage>();
        _app.MapGet("/", (HttpContext context) => statusPage.Respond(context));
        _app.MapPrometheusScrapingEndpoint("/metrics", services.GetRequiredService<MeterProvider>(), configureBranchedPipeline: null, optionsName: null);
        await _app.StartAsync(cancellationToken);

        // A port chosen at bind time (":0") is known only now: point the kubeconfig at the port bound.
        var bound = AdminKubeconfig.Server(string.Join(';', _app.Urls));
        if (bound != AdminKubeconfig.Server(urls))
        {
            AdminKubeconfig.Write(access.Kubeconfig, bound, access.Token, access.Certificate);
        }

        var logger = loggerFactory.CreateLogger<AdminServer>();
        Log.Listening(logger, string.Join(", ", _app.Urls), access.LoopbackOnly ? "writes need the token" : "every request but /healthz and /readyz needs the token", access.TokenFile, access.Kubeconfig);
    }

    /// <summary><c>POST /gateway/v1/handover</c> (a write: the token): the same hand-over as SIGHUP; answers once the new gateway serves, or why not.</summary>
    private static void MapHandover(WebApplication app, Func<string, Task<(bool Succeeded, int? Pid, string Message)>> handOver) =>
        app.MapPost("/gateway/v1/handover", async () =>
        {
            var result = await handOver("admin API");
            var body = new System.Text.Json.Nodes.JsonObject { ["succeeded"] = result.Succeeded, ["pid"] = result.Pid, ["message"] = result.Message }.ToJsonString();
            return Results.Text(body, "application/json", statusCode: result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

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

    private static partial class Log
    {
        [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "admin API on {Urls}: {Rule}; token in {TokenFile}; kubectl --kubeconfig {Kubeconfig} get pods")]
        public static partial void Listening(ILogger logger, string urls, string rule, string tokenFile, string kubeconfig);
    }
}
