using Gateway.Admin;
using Gateway.Controllers;
using Gateway.Events;
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

namespace Gateway.Hosting;

/// <summary>What the gateway is made of, and the order its parts start in.</summary>
internal static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers every part of the gateway. Hosted services start in this order: the orphan reaper
    /// (before any pod), the event wiring (before any pod changes), the admin server, the reloader,
    /// the Kubernetes and Static controllers, the Docker monitor; the replica controller last, once
    /// the listeners are bound.
    /// </summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, GatewayStartup startup)
    {
        ArgumentNullException.ThrowIfNull(startup);
        var spec = startup.Spec;
        services.AddSingleton(new ServiceCatalog(spec));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PodRegistry>();
        services.AddSingleton<EndpointTable>();
        services.AddSingleton<EventRecorder>(sp => new EventRecorder(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventRecorder>>()));
        services.AddSingleton<PortAllocator>();
        services.AddSingleton<GatewayStatus>();
        services.AddGatewayTelemetry(startup.Configuration);
        services.AddRuntimes(startup.Configuration);
        services.AddPods();
        services.AddProxyRouting(TelemetryServiceCollectionExtensions.TracesExported(startup.Configuration));
        services.AddSingleton<StatusPage>();
        services.AddSingleton<DashboardTimeline>();

        services.AddHostedService(sp => new OrphanReaping(ProcessRuntimeOptions.Root, Environment.ProcessId,
            () => ProcessRuntime.FoldersInUse(sp.GetRequiredService<ServiceCatalog>().Current.StateDirectory)));
        services.AddHostedService<EventWiring>();
        services.AddHostedService<ShutdownTimeoutFollower>();
        services.AddHandover(startup);
        services.AddHostedService(sp => new AdminServer(spec.AdminUrls, startup.AdminAccess, sp, sp.GetRequiredService<ILoggerFactory>())
        {
            Listen = kestrel => startup.Listeners.ListenOn(kestrel, ListenerSet.AdminRole),
            HandOver = async trigger => await sp.GetRequiredService<Handover>().RunAsync(trigger) is var r ? (r.Succeeded, r.Pid, r.Message) : default,
        });
        services.AddHostedService(sp => new ConfigReloader(startup.Settings, startup.Applied, sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<GatewayStatus>(),
            sp.GetRequiredService<EventRecorder>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ConfigReloader>>())
        {
            ListenersChanged = reason => sp.GetRequiredService<Handover>().RunAsync(reason),
        });
        services.AddSingleton(sp => new KubernetesEndpointsController(sp.GetRequiredService<ServiceCatalog>(),
            sp.GetRequiredService<EndpointTable>(), sp.GetRequiredService<GatewayStatus>(), sp.GetRequiredService<EventRecorder>(),
            sp.GetRequiredService<IProber>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KubernetesEndpointsController>>(),
            sp.GetRequiredService<ProbeTelemetry>()));
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesEndpointsController>());
        services.AddSingleton(sp => new StaticEndpointsController(sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<EndpointTable>(),
            sp.GetRequiredService<EventRecorder>(), sp.GetRequiredService<IProber>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ProbeTelemetry>()));
        services.AddHostedService(sp => sp.GetRequiredService<StaticEndpointsController>());
        services.AddHostedService<DockerEngineMonitor>();
        services.AddSingleton<DeploymentStore>();
        services.AddSingleton(sp => ExternalEndpointsOf(sp.GetRequiredService<EndpointTable>()));
        services.AddSingleton<ReplicaController>();
        services.AddHostedService(sp => new StartAfterListeners<ReplicaController>(sp.GetRequiredService<ReplicaController>(), sp.GetRequiredService<IHostApplicationLifetime>()));
        return services;
    }

    /// <summary>The proxy pipeline: request telemetry, the request timeout, no ready endpoint, retries, tracing (when traces are exported), affinity, load balancing, in-flight registration (for the drain), the attempt's timeout, then YARP's forwarder.</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            var requests = proxy.ApplicationServices.GetRequiredService<RequestTelemetry>();
            var retries = proxy.ApplicationServices.GetRequiredService<RetryMiddleware>();
            var inFlight = proxy.ApplicationServices.GetRequiredService<InFlightRequests>();
            var timeouts = new RequestTimeouts(proxy.ApplicationServices.GetRequiredService<TimeProvider>());
            // HTTPRoute weights first: the request's telemetry and everything after read the chosen service's cluster.
            proxy.Use(proxy.ApplicationServices.GetRequiredService<HttpRouteMiddleware>().InvokeAsync);
            proxy.Use(requests.InvokeAsync);
            proxy.Use(timeouts.InvokeAsync);
            proxy.Use(NoReadyEndpointMiddleware.InvokeAsync);
            proxy.Use(retries.InvokeAsync);
            if (proxy.ApplicationServices.GetService<ProxyTracingMiddleware>() is { } tracing)
            {
                proxy.Use(tracing.InvokeAsync);
            }

            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.Use(inFlight.InvokeAsync);
            proxy.Use(timeouts.InvokeAttemptAsync);
        });
        return app;
    }

    /// <summary>The listening sockets and their hand-over to a next gateway; readiness for systemd and for the previous gateway.</summary>
    private static void AddHandover(this IServiceCollection services, GatewayStartup startup)
    {
        services.AddSingleton(startup.Listeners);
        services.AddSingleton(new ListenGate(open: startup.Handover is null));
        services.AddSingleton<GatewayShutdown>();
        services.AddSingleton(sp => SystemdNotifier.FromEnvironment(sp.GetRequiredService<ILogger<SystemdNotifier>>()));
        services.AddSingleton<Handover>();
        services.AddHostedService(sp => sp.GetRequiredService<Handover>());
        services.AddHostedService(sp => new GatewayReadiness(sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<EndpointTable>(), startup.Listeners,
            sp.GetRequiredService<ListenGate>(), startup.Handover, sp.GetRequiredService<GatewayShutdown>(), sp.GetRequiredService<SystemdNotifier>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GatewayReadiness>>()));
    }

    private static void AddRuntimes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ProcessRuntimeOptions.ForThisProcess());
        services.AddSingleton<ProcessRuntime>();
        services.AddSingleton(sp => new PodShutdownPolicy(() => sp.GetRequiredService<ServiceCatalog>().Current.KeepPodsOnShutdown));
        services.AddSingleton(DockerRuntimeOptions.FromConfiguration(configuration));
        services.AddSingleton<DockerRuntime>();
        services.AddSingleton(sp => new Lazy<DockerRuntime>(sp.GetRequiredService<DockerRuntime>)); // Docker.DotNet loads only for a Docker service
        services.AddSingleton(sp => new ContainerRuntimes(new Dictionary<RuntimeKind, Lazy<IContainerRuntime>>
        {
            [RuntimeKind.Process] = new(sp.GetRequiredService<ProcessRuntime>()),
            [RuntimeKind.Docker] = new(() => sp.GetRequiredService<Lazy<DockerRuntime>>().Value),
        }));
    }

    private static void AddPods(this IServiceCollection services)
    {
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
            TerminationMessageDirectory = Path.Combine(sp.GetRequiredService<ProcessRuntimeOptions>().StateDirectory, "termination"),
            LogFiles = ContainerLogFilesOf(sp.GetRequiredService<ServiceCatalog>()),
            Networks = PodNetworks.Start(sp.GetRequiredService<ServiceCatalog>().Current.PodNetwork, sp.GetRequiredService<ProcessRuntimeOptions>().StateDirectory,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<PodNetworks>()),
        });
        services.AddSingleton<PodManager>();
    }

    /// <summary>Routing's endpoints as the replica controller's dependencies see them (a Kubernetes or Static service's readiness).</summary>
    private static ExternalEndpoints ExternalEndpointsOf(EndpointTable table)
    {
        var endpoints = new ExternalEndpoints(() => table.Current.Values.Select(e => (e.Service, e.Ready)));
        table.ConditionsChanged += _ => endpoints.RaiseChanged();
        table.DestinationsChanged += _ => endpoints.RaiseChanged();
        return endpoints;
    }

    /// <summary>The instances' logs, in <c>pods</c> of the state folder, bounded by the current <c>Gateway:Logs</c>.</summary>
    private static ContainerLogFiles ContainerLogFilesOf(ServiceCatalog catalog) =>
        new(Path.Combine(catalog.Current.StateDirectory, "pods"), () => catalog.Current.Logs);

    private static void AddProxyRouting(this IServiceCollection services, bool tracesExported)
    {
        services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory>(new GatewayForwarderHttpClientFactory(tracesExported));
        services.AddSingleton<RetryMiddleware>();
        services.AddSingleton<OutlierDetection>();
        services.AddSingleton<InFlightRequests>();
        services.AddSingleton<GatewayProxyConfigProvider>();
        services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>(sp => sp.GetRequiredService<GatewayProxyConfigProvider>());
        services.AddSingleton<IAvailableDestinationsPolicy, ReadyDestinationsPolicy>();
        services.AddSingleton<Yarp.ReverseProxy.LoadBalancing.ILoadBalancingPolicy, SlowStartPolicy>();
        services.AddSingleton<HttpRouteMiddleware>();
        services.AddSingleton<RequestMirror>();
        services.AddSingleton<Microsoft.AspNetCore.Routing.MatcherPolicy, HttpRouteMatcherPolicy>();
        services.AddReverseProxy().AddTransforms<HttpRouteTransforms>();
        WithoutKeyRingAtStart(services);
    }

    /// <summary>
    /// YARP registers ASP.NET Core's data protection (for session affinity cookies, which no gateway
    /// route uses), and with it a hosted service that reads or creates the key ring at start: XML and
    /// crypto code loaded, a few MB of memory for nothing. Without it the key ring loads on first use.
    /// </summary>
    private static void WithoutKeyRingAtStart(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType?.FullName == DataProtectionHostedService)
            {
                services.RemoveAt(i);
            }
        }
    }

    internal const string DataProtectionHostedService = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
}
