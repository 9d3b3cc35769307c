using Gateway.Admin;
using Gateway.Hosting;
using Gateway.Kubernetes;
using Gateway.Specs;

// Composition root: read and check the settings, compose the parts, run. Behaviour lives in the folders.
GatewayHost.ExitOnUnhandledException(Console.Error);
// What pods may ask of the Process runtime on this host: resource limits (cgroups) and volumes (mount namespaces).
ProcessHost.CgroupProblem = static () => Gateway.Runtimes.Process.Cgroups.Host.Problem;
ProcessHost.MountNamespaceProblem = static () => Gateway.Runtimes.Process.MountNamespaceHost.Current.Problem;
ComposeEntries.Expand = Gateway.Compose.ComposeServices.Load;
if (args is [Gateway.Compose.ConvertCommand.Name, .. var convertArgs])
{
    return Gateway.Compose.ConvertCommand.Run(convertArgs, Console.Out, Console.Error);
}

// A gateway started by a hand-over takes the previous one's listening sockets first: its errors from here on go back to it.
HandoverClient? handover;
try
{
    handover = HandoverClient.FromEnvironment();
}
catch (IOException e)
{
    Console.Error.WriteLine($"gateway: {e.Message}");
    return GatewayHost.UserError;
}

var settingsPath = SettingsFile.Locate(args, out var hostArgs);
var settings = new SettingsReader(settingsPath, hostArgs);
var initial = settings.Read();
if (initial.Spec is not { } spec)
{
    Console.Error.WriteLine(initial.Summary);
    return GatewayHost.UserError;
}

// A cluster the gateway cannot talk to is a start error; the Kubernetes controller makes the client.
if (spec.Services.Any(s => s.Backend is ClusterBackend) && KubernetesClientFactory.Configure(spec.Kubeconfig, out var clusterError) is null)
{
    Console.Error.WriteLine($"gateway: {clusterError}");
    return GatewayHost.UserError;
}

if (AdminAccess.Prepare(spec, settingsPath, out var adminError) is not { } adminAccess)
{
    Console.Error.WriteLine($"gateway: {adminError}");
    return GatewayHost.UserError;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
var applied = new AppliedConfiguration(initial.Configuration!);
builder.Configuration.Sources.Clear();
((IConfigurationBuilder)builder.Configuration).Add(applied); // ConfigReloader replaces it whole when a changed file validates
builder.Logging.AddFilter(GatewayHost.HostLogCategory, LogLevel.None); // GatewayHost says in one line how the host ended
var listeners = new ListenerSet(spec.ProxyUrls, spec.AdminUrls, handover?.Listeners);
if (GatewayHost.Bind(listeners, spec, Console.Error) is { } bindError)
{
    return bindError;
}

var proxyCertificates = ProxyListener.Configure(builder.WebHost, spec, listeners, Console.Error);
builder.Services.AddGateway(new GatewayStartup(spec, settings, applied, builder.Configuration, adminAccess, listeners, handover));

var app = builder.Build();
proxyCertificates.Follow(app.Services.GetRequiredService<ServiceCatalog>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ProxyCertificateStore>());
app.MapGateway();
return await GatewayHost.RunAsync(app, Console.Error);
