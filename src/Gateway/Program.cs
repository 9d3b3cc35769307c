using Gateway.Admin;
using Gateway.Hosting;
using Gateway.Kubernetes;
using Gateway.Specs;

// Composition root: read and check the settings, compose the parts, run. Behaviour lives in the folders.
GatewayHost.ExitOnUnhandledException(Console.Error);
// What pods may ask of the Process runtime on this host: resource limits (cgroups) and volumes (mount namespaces).
ProcessHost.CgroupProblem = static () => Gateway.Runtimes.Process.Cgroups.Host.Problem;
ProcessHost.MountNamespaceProblem = static () => Gateway.Runtimes.Process.MountNamespaceHost.Current.Problem;
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
builder.WebHost.UseUrls(spec.ProxyUrls);
builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder binds https:// URLs only with it
var proxyCertificates = new ProxyCertificateStore(spec.ProxyCertificates); // swapped by a reload; each TLS handshake asks it (SNI)
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ConfigureEndpointDefaults(listen => CleartextHttp2.Use(listen, kestrel.Limits.KeepAliveTimeout));
    kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, serverName) => proxyCertificates.Select(serverName));
});
builder.WebHost.ConfigureKestrel(kestrel => ProxyListenerLimits.Apply(spec.ProxyLimits, kestrel.Limits));
foreach (var warning in spec.ProxyCertificates?.Warnings ?? [])
{
    Console.Error.WriteLine($"gateway: warning: {warning}");
}
if (!CleartextHttp2.IsAvailable)
{
    Console.Error.WriteLine("gateway: warning: this ASP.NET Core cannot choose HTTP/2 per connection: the proxy listener serves HTTP/1.1 only in cleartext (h2c clients get HTTP_1_1_REQUIRED); HTTP/2 over TLS is not affected");
}

builder.Services.AddGateway(new GatewayStartup(spec, settings, applied, builder.Configuration, adminAccess));

var app = builder.Build();
proxyCertificates.Follow(app.Services.GetRequiredService<ServiceCatalog>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ProxyCertificateStore>());
app.MapGateway();
return await GatewayHost.RunAsync(app, spec, Console.Error);
