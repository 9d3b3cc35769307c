using Gateway.Admin;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Hosting;
using Gateway.Pods;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Runtimes;
using Gateway.Runtimes.Docker;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using Gateway.Telemetry;
using Yarp.ReverseProxy.Health;

// Composition root: configuration, validation, then wiring. Behaviour lives in the folders.
var settingsPath = SettingsFile.Locate(args, out var hostArgs);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.Sources.Clear();
if (!File.Exists(settingsPath))
{
    Console.Error.WriteLine($"gateway: settings file not found: {settingsPath}; pass --config FILE or run from the folder that holds config/appsettings.json");
    return 2;
}

builder.Configuration
    .AddJsonFile(settingsPath, optional: false, reloadOnChange: false)
    .AddEnvironmentVariables()
    .AddCommandLine(hostArgs);

GatewaySpec spec;
try
{
    spec = GatewaySpecLoader.Load(builder.Configuration, Path.GetDirectoryName(settingsPath)!, out var errors);
    if (errors.Count > 0)
    {
        Console.Error.WriteLine($"gateway: the configuration in {settingsPath} is not valid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):");
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"  {error}");
        }

        return 2;
    }
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"gateway: cannot read {settingsPath}: {e.Message}");
    return 2;
}

builder.WebHost.UseUrls(spec.ProxyUrls);
var maxGrace = spec.Services.Select(s => s.PodSpec.TerminationGracePeriodSeconds ?? 30).DefaultIfEmpty(30).Max();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(maxGrace + 10));

var services = builder.Services;
services.AddSingleton(spec);
services.AddSingleton(TimeProvider.System);
services.AddSingleton<PodRegistry>();
services.AddSingleton<EndpointTable>();
services.AddSingleton<EventRecorder>(sp => new EventRecorder(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventRecorder>>()));
services.AddSingleton<PortAllocator>();
services.AddSingleton<GatewayStatus>();
services.AddSingleton<GatewayMetrics>();
services.AddSingleton<RetryMiddleware>();
services.AddSingleton(ProcessRuntimeOptions.ForThisProcess());
services.AddSingleton<ProcessRuntime>();
services.AddSingleton(DockerRuntimeOptions.FromConfiguration(builder.Configuration));
services.AddSingleton<DockerRuntime>();
services.AddSingleton(sp => new ContainerRuntimes(new Dictionary<RuntimeKind, IContainerRuntime>
{
    [RuntimeKind.Process] = sp.GetRequiredService<ProcessRuntime>(),
    [RuntimeKind.Docker] = sp.GetRequiredService<DockerRuntime>(),
}));
services.AddSingleton<IProber, Prober>();
services.AddSingleton<IPodDrainer, ProxyDrainer>();
services.AddSingleton(sp => new PodWorkerContext(
    sp.GetRequiredService<ContainerRuntimes>(),
    sp.GetRequiredService<IProber>(),
    sp.GetRequiredService<PodRegistry>(),
    sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<IPodDrainer>(),
    sp.GetRequiredService<PortAllocator>(),
    sp.GetRequiredService<TimeProvider>(),
    sp.GetRequiredService<TimeProvider>().GetUtcNow(),
    sp.GetRequiredService<ILoggerFactory>()));
services.AddSingleton<PodManager>();
services.AddSingleton<GatewayProxyConfigProvider>();
services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>(sp => sp.GetRequiredService<GatewayProxyConfigProvider>());
services.AddSingleton<IAvailableDestinationsPolicy, ReadyDestinationsPolicy>();
services.AddReverseProxy();
services.AddHostedService(sp => new AdminServer(spec.AdminUrls, sp.GetRequiredService<PodRegistry>(), sp.GetRequiredService<PodManager>(),
    sp.GetRequiredService<EventRecorder>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<ILoggerFactory>()));
services.AddHostedService<ReplicaController>();
if (spec.Services.Any(s => s.Runtime == RuntimeKind.Docker))
{
    services.AddHostedService<DockerEngineMonitor>();
}

var app = builder.Build();

// Process groups left by a gateway that crashed are ended before any new pod starts.
OrphanReaper.ReapOrphans(ProcessRuntimeOptions.Root, Environment.ProcessId);
var registry = app.Services.GetRequiredService<PodRegistry>();
var endpoints = app.Services.GetRequiredService<EndpointTable>();
registry.Changed += endpoints.OnPodChanged;
app.Services.GetRequiredService<GatewayProxyConfigProvider>();
app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<GatewayStatus>().Started = true);

app.MapReverseProxy(proxy =>
{
    var retries = proxy.ApplicationServices.GetRequiredService<RetryMiddleware>();
    proxy.Use(NoReadyEndpointMiddleware.InvokeAsync);
    proxy.Use(retries.InvokeAsync);
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
});

await app.RunAsync();
return 0;
