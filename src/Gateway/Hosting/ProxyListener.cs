using Gateway.Specs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// The proxy listener's Kestrel, from the settings: their URLs; HTTP/1.1 and h2c on a cleartext
/// port (<see cref="CleartextHttp2"/>); TLS with the certificate SNI picks from a store a reload
/// swaps (<see cref="ProxyCertificateStore"/>); the request limits (<see cref="ProxyListenerLimits"/>).
/// What a client might refuse (an expired certificate) or a platform lacks is said on
/// <c>warnings</c> at start. The admin listener is a server of its own and takes none of this.
/// Kestrel listens on the sockets of <see cref="ListenerSet"/> (so that a hand-over can pass them),
/// through the socket transport held back by <see cref="ListenGate"/> until the gateway is ready
/// when a hand-over started it.
/// </summary>
internal static class ProxyListener
{
    public static ProxyCertificateStore Configure(IWebHostBuilder webHost, GatewaySpec spec, ListenerSet listeners, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(webHost);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(warnings);
        webHost.UseKestrelHttpsConfiguration(); // the slim builder binds https:// URLs only with it
        webHost.ConfigureServices(services => services.AddSingleton<IConnectionListenerFactory>(sp => new GatedTransportFactory(
            new SocketTransportFactory(sp.GetRequiredService<IOptions<SocketTransportOptions>>(), sp.GetRequiredService<ILoggerFactory>()), sp.GetRequiredService<ListenGate>())));
        var certificates = new ProxyCertificateStore(spec.ProxyCertificates);
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => CleartextHttp2.Use(listen, kestrel.Limits.KeepAliveTimeout));
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, serverName) => certificates.Select(serverName));
            ProxyListenerLimits.Apply(spec.ProxyLimits, kestrel.Limits);
            listeners.ListenOn(kestrel, ListenerSet.ProxyRole);
        });

        foreach (var warning in spec.ProxyCertificates?.Warnings ?? [])
        {
            warnings.WriteLine($"gateway: warning: {warning}");
        }

        if (!CleartextHttp2.IsAvailable)
        {
            warnings.WriteLine("gateway: warning: this ASP.NET Core cannot choose HTTP/2 per connection: the proxy listener serves HTTP/1.1 only in cleartext (h2c clients get HTTP_1_1_REQUIRED); HTTP/2 over TLS is not affected");
        }

        return certificates;
    }
}
