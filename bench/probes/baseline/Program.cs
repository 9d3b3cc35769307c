using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

// The least a .NET process can do to send the gateway's probe traffic: `rate` GETs a second, spread
// evenly, each on a new connection (Connection: close, linger 1 s, as the gateway's httpGet probe and the kubelet's),
// body read. Usage: ProbeBaseline URL RATE WARMUP_SECONDS WINDOW_SECONDS
// Prints one line: requests, errors and CPU time (µs, user and system) of this process over the window only.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: ProbeBaseline URL RATE WARMUP_SECONDS WINDOW_SECONDS");
    return 2;
}

var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var warmup = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var window = TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture));

using var handler = new SocketsHttpHandler
{
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
    UseCookies = false,
    ActivityHeadersPropagator = null,
    ConnectCallback = static async (context, cancellationToken) =>
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 1) };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    },
};
using var client = new HttpMessageInvoker(handler, disposeHandler: false);

long completed = 0;
long errors = 0;
var buffer = new byte[1];

async Task GetAsync()
{
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        request.Headers.TryAddWithoutValidation("User-Agent", "kube-probe/1.32");
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        using var response = await client.SendAsync(request, timeout.Token);
        await response.Content.ReadAsByteArrayAsync(timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref errors);
        }
    }
    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
    {
        Interlocked.Increment(ref errors);
    }

    Interlocked.Increment(ref completed);
}

var clock = Stopwatch.StartNew();
var windowStart = warmup;
var windowEnd = warmup + window;
long sent = 0;
var cpuAtStart = Environment.CpuUsage;
long completedAtStart = 0;
long errorsAtStart = 0;
var inWindow = false;
using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
while (await tick.WaitForNextTickAsync())
{
    var now = clock.Elapsed;
    if (!inWindow && now >= windowStart)
    {
        inWindow = true;
        cpuAtStart = Environment.CpuUsage;
        completedAtStart = Interlocked.Read(ref completed);
        errorsAtStart = Interlocked.Read(ref errors);
    }

    if (now >= windowEnd)
    {
        break;
    }

    var due = (long)(now.TotalSeconds * rate);
    for (; sent < due; sent++)
    {
        _ = GetAsync();
    }
}

var cpuAtEnd = Environment.CpuUsage;
var requests = Interlocked.Read(ref completed) - completedAtStart;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"requests={requests} errors={Interlocked.Read(ref errors) - errorsAtStart} user_us={(long)(cpuAtEnd.UserTime - cpuAtStart.UserTime).TotalMicroseconds} sys_us={(long)(cpuAtEnd.PrivilegedTime - cpuAtStart.PrivilegedTime).TotalMicroseconds}"));
return 0;
