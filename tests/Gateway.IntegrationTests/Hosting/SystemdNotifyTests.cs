using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// <c>Type=notify</c> as systemd sees it: a real Unix datagram socket as <c>NOTIFY_SOCKET</c>, and
/// the real gateway's notifications on it: <c>READY=1</c> once its service has a ready endpoint,
/// <c>WATCHDOG=1</c> when <c>WATCHDOG_USEC</c> asks, <c>RELOADING=1</c> then <c>MAINPID=</c> with
/// <c>READY=1</c> for a hand-over, and <c>STOPPING=1</c> at SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task NotifySocket_ReceivesReadyWatchdogReloadingMainPidAndStopping()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-notify-").FullName;
        var path = Path.Combine(directory, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var messages = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, length));
            }
        });

        using var backend = await DemoBackendProcess.StartAsync("notify");
        var services = $$"""
            { "web": { "Runtime": "Static", "Addresses": [ "http://127.0.0.1:{{backend.Port}}" ],
                       "ReadinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 } } }
            """;
        await using var gateway = await GatewayProcess.StartAsync(services, environment: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = path,
            ["WATCHDOG_USEC"] = "400000",
        });
        var pid = gateway.Id;
        try
        {
            await WaitForAsync(messages, m => m.StartsWith("READY=1\nSTATUS=ready: 1 service(s), each with a ready endpoint", StringComparison.Ordinal), "READY=1");
            await WaitForAsync(messages, m => m == "WATCHDOG=1", "WATCHDOG=1");

            GatewayProcess.Signal(pid, "HUP");
            pid = await HandoverTests.WaitForHandoverAsync(gateway, pid);
            await WaitForAsync(messages, m => m.StartsWith("RELOADING=1\nMONOTONIC_USEC=", StringComparison.Ordinal), "RELOADING=1");
            await WaitForAsync(messages, m => m.StartsWith($"MAINPID={pid}\nREADY=1\n", StringComparison.Ordinal), "MAINPID= and READY=1");
            Assert.DoesNotContain("STOPPING=1", messages); // the old gateway's exit is not the service's stop

            GatewayProcess.Signal(pid, "TERM");
            await WaitForAsync(messages, m => m == "STOPPING=1", "STOPPING=1");
            var all = messages.ToList();
            Assert.True(all.FindIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal)) < all.IndexOf("STOPPING=1"), string.Join(" | ", all));
        }
        finally
        {
            await HandoverTests.StopServingAsync(gateway);
            await stop.CancelAsync();
            try
            {
                await reader;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static Task WaitForAsync(ConcurrentQueue<string> messages, Func<string, bool> match, string what) =>
        Poll.UntilAsync(() => Task.FromResult(messages.Any(match)), $"{what} on NOTIFY_SOCKET; got: {string.Join(" | ", messages)}", TimeSpan.FromSeconds(30));
}
