using System.Net;
using DemoBackend;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var options = BackendCommandLine.Parse(args, Environment.GetEnvironmentVariable, out var exitCode);
if (options is null)
{
    return exitCode;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// The host would log a failed start with its stack trace; the catch around StartAsync says it in one line.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
// Generous, so that requests in flight at SIGTERM finish rather than being cut off.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(60));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
    if (options.GrpcPort is { } grpcPort)
    {
        kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
    }
});

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HealthState>();
builder.Services.AddSingleton<RequestCounter>();
builder.Services.AddHostedService<CrashTimer>();
if (options.GrpcPort is not null)
{
    builder.Services.AddGrpc();
    builder.Services.AddSingleton<HealthServiceImpl>();
    builder.Services.AddHostedService<GrpcHealthPublisher>();
}

await using var app = builder.Build();
var counter = app.Services.GetRequiredService<RequestCounter>();
app.Use((context, next) =>
{
    // Every request but /stats itself, so that reading the count does not change it.
    if (!context.Request.Path.StartsWithSegments("/stats", StringComparison.Ordinal))
    {
        counter.Increment();
    }

    return next(context);
});
app.UseWebSockets();
app.MapDemoEndpoints();
app.MapStreamEndpoints();
if (options.GrpcPort is not null)
{
    app.MapGrpcService<HealthServiceImpl>();
    app.MapGrpcService<DemoGrpcService>();
}

try
{
    await app.StartAsync();
}
catch (IOException e)
{
    Console.Error.WriteLine($"demo-backend: {e.Message} Pick a free --port or --grpc-port.");
    return 1;
}

var grpc = options.GrpcPort is { } port ? $" grpc=127.0.0.1:{port}" : "";
Console.WriteLine($"demo-backend listening on 127.0.0.1:{options.Port}{grpc} pod={options.PodName}");

// Kubernetes order on SIGTERM: stop accepting and let in-flight requests finish (the host's stop), then the delay, then exit.
await app.WaitForShutdownAsync();
await Task.Delay(options.ShutdownDelay);
return options.ExitCode;
