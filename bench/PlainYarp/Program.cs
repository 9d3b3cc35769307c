using Yarp.ReverseProxy.Configuration;

// dotnet PlainYarp.dll http://127.0.0.1:LISTEN http://127.0.0.1:BACKEND1 [http://127.0.0.1:BACKEND2 ...]
// The gateway's logging filters (config/appsettings.json), so that neither logs a line per request.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
builder.WebHost.UseUrls(args[0]);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "bench", ClusterId = "bench", Match = new RouteMatch { Path = "/{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "bench",
        LoadBalancingPolicy = "RoundRobin",
        Destinations = args[1..].Select((address, i) => (address, i)).ToDictionary(d => $"d{d.i}", d => new DestinationConfig { Address = d.address }),
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
