using Gateway.Admin;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Hosting;
using Gateway.Kubernetes;
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

GatewaySpec spec;
try
{
    builder.Configuration
        .AddJsonFile(settingsPath, optional: false, reloadOnChange: false) // ConfigReloader polls and reloads
        .AddEnvironmentVariables()
        .AddCommandLine(hostArgs);
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
    // A malformed file: the JSON reader's message names the line and position.
    Console.Error.WriteLine($"gateway: cannot read {settingsPath}: {e.InnerException?.InnerException?.Message ?? e.InnerException?.Message ?? e.Message}");
    return 2;
}

k8s.KubernetesClientConfiguration? cluster = null;
if (spec.Services.Any(s => s.Runtime == RuntimeKind.Kubernetes))
{
    cluster = KubernetesClientFactory.Configure(spec.Kubeconfig, out var clusterError);
    if (cluster is null)
    {
        Console.Error.WriteLine($"gateway: {clusterError}");
        return 2;
    }
}

builder.WebHost.UseUrls(spec.ProxyUrls);
var maxGrace = spec.Services.Select(s => s.PodSpec.TerminationGracePeriodSeconds ?? 30).DefaultIfEmpty(30).Max();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(maxGrace + 10));

var services = builder.Services;
services.AddSingleton(new ServiceCatalog(spec));
services.AddSingleton(TimeProvider.System);
services.AddSingleton<PodRegistry>();
services.AddSingleton<EndpointTable>();
services.AddSingleton<EventRecorder>(sp => new EventRecorder(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventRecorder>>()));
services.AddSingleton<PortAllocator>();
services.AddSingleton<GatewayStatus>();
services.AddGatewayTelemetry(builder.Configuration);
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
services.AddSingleton<ProxyDrainer>();
services.AddSingleton<IPodDrainer>(sp => new MeasuredDrainer(sp.GetRequiredService<ProxyDrainer>(), sp.GetRequiredService<GatewayMetrics>(),
    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MeasuredDrainer>>()));
services.AddSingleton(sp => new PodWorkerContext(
    sp.GetRequiredService<ContainerRuntimes>(),
    sp.GetRequiredService<IProber>(),
    sp.GetRequiredService<PodRegistry>(),
    sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<IPodDrainer>(),
    sp.GetRequiredService<PortAllocator>(),
    sp.GetRequiredService<TimeProvider>(),
    sp.GetRequiredService<TimeProvider>().GetUtcNow(),
    sp.GetRequiredService<ILoggerFactory>())
{
    ProbeTelemetry = sp.GetRequiredService<ProbeTelemetry>(),
});
services.AddSingleton<PodManager>();
services.AddSingleton<GatewayProxyConfigProvider>();
services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>(sp => sp.GetRequiredService<GatewayProxyConfigProvider>());
services.AddSingleton<IAvailableDestinationsPolicy, ReadyDestinationsPolicy>();
services.AddSingleton<Yarp.ReverseProxy.LoadBalancing.ILoadBalancingPolicy, SlowStartPolicy>();
services.AddReverseProxy();
services.AddSingleton<StatusPage>();
if (AdminAccess.Prepare(spec, settingsPath, out var adminError) is not { } adminAccess)
{
    Console.Error.WriteLine($"gateway: {adminError}");
    return 2;
}

services.AddHostedService(sp => new AdminServer(spec.AdminUrls, adminAccess, sp, sp.GetRequiredService<ILoggerFactory>()));
services.AddHostedService<ReplicaController>();
services.AddHostedService(sp => new ConfigReloader((IConfigurationRoot)sp.GetRequiredService<IConfiguration>(), settingsPath,
    sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ConfigReloader>>()));
services.AddHostedService(sp => new KubernetesEndpointsController(sp.GetRequiredService<ServiceCatalog>(), cluster,
    sp.GetRequiredService<EndpointTable>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<IProber>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KubernetesEndpointsController>>()));
services.AddHostedService<DockerEngineMonitor>();

var app = builder.Build();

// Process groups left by a gateway that crashed are ended before any new pod starts.
OrphanReaper.ReapOrphans(ProcessRuntimeOptions.Root, Environment.ProcessId);
var registry = app.Services.GetRequiredService<PodRegistry>();
var endpoints = app.Services.GetRequiredService<EndpointTable>();
registry.Changed += endpoints.OnPodChanged;
registry.Changed += app.Services.GetRequiredService<ProbeStatusStore>().OnPodChanged;
registry.Changed += app.Services.GetRequiredService<ContainerRestarts>().OnPodChanged;
app.Services.GetRequiredService<GatewayProxyConfigProvider>();
app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<GatewayStatus>().Started = true);

app.MapReverseProxy(proxy =>
{
    var retries = proxy.ApplicationServices.GetRequiredService<RetryMiddleware>();
    var tracing = proxy.ApplicationServices.GetRequiredService<ProxyTracingMiddleware>();
    proxy.Use(NoReadyEndpointMiddleware.InvokeAsync);
    proxy.Use(retries.InvokeAsync);
    proxy.Use(tracing.InvokeAsync);
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
});

await app.RunAsync();
return 0;
