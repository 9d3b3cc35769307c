using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// dotnet Forwarder.dll http://127.0.0.1:LISTEN http://127.0.0.1:BACKEND
// YARP's direct forwarding (its "Direct forwarding" docs): every request to the one destination, with the
// HttpMessageInvoker YARP's clusters get (its ForwarderHttpClientFactory, default settings), the
// default transforms, no routing middleware. Logging filters as in PlainYarp.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
builder.WebHost.UseUrls(args[0]);
builder.Services.AddHttpForwarder();

var app = builder.Build();
var destination = args[1];
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var client = new ForwarderHttpClientFactory().CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
app.Run(async context => await forwarder.SendAsync(context, destination, client, ForwarderRequestConfig.Empty, HttpTransformer.Default));
app.Run();
