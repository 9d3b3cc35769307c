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
using Gateway.Static;
using Gateway.Telemetry;
using Yarp.ReverseProxy.Health;

// Composition root: configuration, validation, then wiring. Behaviour lives in the folders.
GatewayHost.ExitOnUnhandledException(Console.Error);
var settingsPath = SettingsFile.Locate(args, out var hostArgs);
var settings = new SettingsReader(settingsPath, hostArgs);
var initial = settings.Read();
if (initial.Spec is not { } spec)
{
    Console.Error.WriteLine(initial.Summary);
    return GatewayHost.UserError;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
var applied = new AppliedConfiguration(initial.Configuration!);
builder.Configuration.Sources.Clear();
((IConfigurationBuilder)builder.Configuration).Add(applied); // ConfigReloader replaces it whole when a changed file validates
builder.Logging.AddFilter(GatewayHost.HostLogCategory, LogLevel.None); // GatewayHost says in one line how the host ended

k8s.KubernetesClientConfiguration? cluster = null;
if (spec.Services.Any(s => s.Backend is ClusterBackend))
{
    cluster = KubernetesClientFactory.Configure(spec.Kubeconfig, out var clusterError);
    if (cluster is null)
    {
        Console.Error.WriteLine($"gateway: {clusterError}");
        return GatewayHost.UserError;
    }
}

builder.WebHost.UseUrls(spec.ProxyUrls);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = GatewayHost.ShutdownTimeout(spec));

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
    ProbeObserver = sp.GetRequiredService<ProbeTelemetry>(),
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
    return GatewayHost.UserError;
}

services.AddHostedService(sp => new AdminServer(spec.AdminUrls, adminAccess, sp, sp.GetRequiredService<ILoggerFactory>()));
services.AddSingleton<ReplicaController>();
services.AddHostedService(sp => new StartAfterListeners<ReplicaController>(sp.GetRequiredService<ReplicaController>(), sp.GetRequiredService<IHostApplicationLifetime>()));
services.AddHostedService(sp => new ConfigReloader(settings, applied, sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ConfigReloader>>()));
services.AddSingleton(sp => new KubernetesEndpointsController(sp.GetRequiredService<ServiceCatalog>(), cluster,
    sp.GetRequiredService<EndpointTable>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<EventRecorder>(),
    sp.GetRequiredService<IProber>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KubernetesEndpointsController>>(),
    sp.GetRequiredService<ProbeTelemetry>()));
services.AddHostedService(sp => sp.GetRequiredService<KubernetesEndpointsController>());
services.AddSingleton(sp => new StaticEndpointsController(sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<EndpointTable>(),
    sp.GetRequiredService<EventRecorder>(), sp.GetRequiredService<IProber>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ProbeTelemetry>()));
services.AddHostedService(sp => sp.GetRequiredService<StaticEndpointsController>());
services.AddHostedService<DockerEngineMonitor>();

var app = builder.Build();

// Process groups left by a gateway that crashed are ended before any new pod starts.
OrphanReaper.ReapOrphans(ProcessRuntimeOptions.Root, Environment.ProcessId);
var registry = app.Services.GetRequiredService<PodRegistry>();
var endpoints = app.Services.GetRequiredService<EndpointTable>();
registry.Changed += endpoints.OnPodChanged;
var pods = app.Services.GetRequiredService<PodManager>();
endpoints.Ejected += ejected => pods.Find(ejected.PodName)?.RecheckReadiness();
registry.Changed += app.Services.GetRequiredService<ProbeStatusStore>().OnPodChanged;
registry.Changed += app.Services.GetRequiredService<ContainerRestarts>().OnPodChanged;
app.Services.GetRequiredService<RetryMiddleware>().Retried += app.Services.GetRequiredService<GatewayMetrics>().RecordRetry;
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

return await GatewayHost.RunAsync(app, spec, Console.Error);
