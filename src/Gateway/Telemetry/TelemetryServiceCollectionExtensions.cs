using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Telemetry;

/// <summary>Wires metrics and traces: the gateway's own, ASP.NET Core, Kestrel, HttpClient, runtime and YARP.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Prometheus exposition is always on (the admin app maps it at <c>/metrics</c>); OTLP export of
    /// metrics and traces only when an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variable is set, with the
    /// standard OpenTelemetry environment variables. Requests to the admin app are not traced.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ProbeStatusStore>();
        services.AddSingleton<ContainerRestarts>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ProbeTelemetry>();
        services.AddSingleton<AccessLog>();
        services.AddSingleton<RequestHistory>();
        services.AddSingleton(sp => new RequestTelemetry(sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<AccessLog>(), sp.GetRequiredService<RequestHistory>()));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("gateway"))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName)

                // Not ASP.NET Core's request metrics nor HttpClient's: listened to, they cost most of
                // what the gateway added over YARP per request. The gateway's own request metrics
                // (RequestTelemetry) replace them; Kestrel's are per connection.
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
                .AddRuntimeInstrumentation()

                // The runtime's and Kestrel's instruments have a few series each: room for 2,000 (the
                // default) cost 170 KB per instrument, about 5 MB of the gateway's fixed memory.
                .AddView(instrument => instrument.Meter.Name == GatewayMetrics.MeterName || Renamed.Contains(instrument.Name) ? null
                    : new MetricStreamConfiguration { CardinalityLimit = FewSeries })

                // Prometheus' naming rules keep "_count" for histograms: three runtime gauges are renamed
                // so that promtool passes the scrape.
                .AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded", CardinalityLimit = FewSeries })
                .AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpus", CardinalityLimit = FewSeries })
                .AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timers", CardinalityLimit = FewSeries })
                .AddPrometheusExporter());

        // Traces only when they can go somewhere: tracing instrumentation makes ASP.NET Core and
        // HttpClient create an activity for every proxied request (measured: ~15 µs of CPU per
        // request, 20 % of the proxy's), whether sampled or not. Without an exporter no span is
        // recorded; a caller's trace context still reaches the backend.
        if (TracesExported(configuration))
        {
            // Only then in the proxy pipeline: without spans to tag it would cost every request a state machine.
            services.AddSingleton<ProxyTracingMiddleware>();
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(GatewayTracing.SourceName, GatewayTracing.YarpSourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => context.RequestServices.GetService<AdminMarker>() is null)
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Series kept per runtime or Kestrel instrument; more go to OpenTelemetry's overflow series.</summary>
    private const int FewSeries = 100;

    private static readonly HashSet<string> Renamed = new(["dotnet.assembly.count", "dotnet.process.cpu.count", "dotnet.timer.count"], StringComparer.Ordinal);

    private static readonly string[] OtlpEndpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    /// <summary>Whether traces go somewhere: an OTLP endpoint is configured.</summary>
    public static bool TracesExported(IConfiguration configuration) =>
        OtlpEndpointVariables.Any(name => !string.IsNullOrEmpty(configuration[name]));
}

/// <summary>Registered in the admin app only: tells its requests apart from proxied ones.</summary>
internal sealed class AdminMarker;
