// dotnet Backend.dll http://127.0.0.1:PORT
// GET / -> "hello world" (11 bytes), GET /1k -> 1,024 bytes, GET /64k -> 65,536 bytes, anything else -> 404.
// No routing, no logging, no host filtering: one terminal middleware writing pre-built bodies.
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().UseUrls(args.Length > 0 ? args[0] : "http://127.0.0.1:5000");

var hello = "hello world"u8.ToArray();
var oneK = Body(1024);
var sixtyFourK = Body(64 * 1024);

var app = builder.Build();
app.Run(context =>
{
    var body = context.Request.Path.Value switch
    {
        "/" => hello,
        "/1k" => oneK,
        "/64k" => sixtyFourK,
        _ => null,
    };
    var response = context.Response;
    if (body is null)
    {
        response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    response.ContentType = "text/plain";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body).AsTask();
});
app.Run();

// Printable bytes, lines of 64, so that a body is easy to look at with curl.
static byte[] Body(int length)
{
    var body = new byte[length];
    for (var i = 0; i < length; i++)
    {
        body[i] = i % 64 == 63 ? (byte)'\n' : (byte)('a' + (i % 26));
    }

    return body;
}
