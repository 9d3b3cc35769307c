using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>A real Kestrel server on 127.0.0.1 and a port the system picks.</summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static Task<LocalServer> StartAsync(RequestDelegate handler, X509Certificate2? certificate = null) =>
        StartAsync(
            HttpProtocols.Http1,
            certificate,
            configureServices: null,
            app => app.Run(handler));

    public static async Task<LocalServer> StartAsync(
        HttpProtocols protocols,
        X509Certificate2? certificate,
        Action<IServiceCollection>? configureServices,
        Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new LocalServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
