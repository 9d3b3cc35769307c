using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Gateway.Events;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>What a hand-over came to.</summary>
/// <param name="Pid">The new gateway's process id, when one was started.</param>
internal sealed record HandoverResult(bool Succeeded, int? Pid, string Message);

/// <summary>
/// Restarts the gateway in place without dropping a connection, as Envoy's hot restart and HAProxy's
/// seamless reload do. On <c>SIGHUP</c>, on the admin API's <c>POST /gateway/v1/handover</c>, or when
/// a reload changes the Proxy or Admin URLs: starts the binary on disk again (the same command line,
/// environment and working folder), passes it the listening sockets themselves over a Unix socket
/// (<see cref="HandoverClient"/>), and waits until it says it is ready. Only then does this gateway
/// stop accepting, let its requests finish (Kestrel's graceful stop) and exit, its shutdown marked
/// as a hand-over (<see cref="GatewayShutdown.MarkHandedOver"/>, which tells the runtimes to leave their pods). Both share the same sockets throughout, so a connection queued in
/// a backlog is accepted by one or the other, never reset. A new gateway that fails (settings that
/// do not validate, a crash, no readiness in time) leaves this one serving, with a log line and a
/// Warning event that say why.
/// </summary>
internal sealed partial class Handover(
    ListenerSet listeners, GatewayShutdown shutdown, ServiceCatalog catalog, EventRecorder events, SystemdNotifier systemd,
    IHostApplicationLifetime lifetime, ILogger<Handover> logger) : IHostedService, IDisposable
{
    /// <summary>How long a new gateway may take to start and become ready: its own bounded wait, plus its start.</summary>
    public static readonly TimeSpan Timeout = ReadinessRule.DefaultWait + TimeSpan.FromSeconds(30);

    private PosixSignalRegistration? _hangUp;
    private int _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // not the runtime's default, which ends the process
            _ = RunAsync("SIGHUP");
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _hangUp?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _hangUp?.Dispose();

    /// <summary>Hands over to a new gateway process; one at a time. Completes when the new one is ready (this one then stops) or has failed.</summary>
    public async Task<HandoverResult> RunAsync(string trigger)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return new HandoverResult(false, null, "the gateway is stopping");
        }

        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return new HandoverResult(false, null, "a hand-over is already under way");
        }

        var succeeded = false;
        try
        {
            Log.Starting(logger, trigger, Environment.ProcessPath ?? "?");
            systemd.Notify(SystemdState.Reloading(Stopwatch.GetTimestamp() * 1_000_000 / Stopwatch.Frequency));
            var result = await HandOverAsync();
            succeeded = result.Succeeded;
            if (succeeded)
            {
                shutdown.MarkHandedOver();
                systemd.Notify(SystemdState.HandedOver(result.Pid!.Value, result.Message));
                Log.Succeeded(logger, result.Pid.Value, Environment.ProcessId, result.Message);
                events.Record("default", "gateway", "", EventType.Normal, "HandedOver",
                    $"pid {result.Pid} took over the listeners ({trigger}): {result.Message}; pid {Environment.ProcessId} finishes its requests and exits", kind: "Gateway");
                lifetime.StopApplication();
            }
            else
            {
                Log.Failed(logger, trigger, result.Message);
                events.Record("default", "gateway", "", EventType.Warning, "HandoverFailed",
                    $"{trigger}: {result.Message}; pid {Environment.ProcessId} keeps serving", kind: "Gateway");
                systemd.Notify(SystemdState.Ready($"hand-over failed, still serving: {result.Message}"));
            }

            return result;
        }
        catch (Exception e)
        {
            Log.Failed(logger, trigger, GatewayHost.Describe(e));
            events.Record("default", "gateway", "", EventType.Warning, "HandoverFailed", $"{trigger}: {GatewayHost.Describe(e)}; pid {Environment.ProcessId} keeps serving", kind: "Gateway");
            systemd.Notify(SystemdState.Ready("hand-over failed, still serving"));
            return new HandoverResult(false, null, GatewayHost.Describe(e));
        }
        finally
        {
            if (!succeeded)
            {
                Volatile.Write(ref _running, 0);
            }
        }
    }

    private async Task<HandoverResult> HandOverAsync()
    {
        var (path, file) = SocketPath(catalog.Current.StateDirectory);
        if (file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Delete(path);
        }

        using var server = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        using var deadline = new CancellationTokenSource(Timeout);
        Process? child = null;
        try
        {
            server.Bind(new UnixDomainSocketEndPoint(path));
            server.Listen(1);
            try
            {
                child = Process.Start(StartInfo(path)) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                return new HandoverResult(false, null, $"cannot start {Environment.ProcessPath}: {e.Message}");
            }

            var pid = child.Id;
            var exited = child.WaitForExitAsync(CancellationToken.None);
            var accept = server.AcceptAsync(deadline.Token).AsTask();
            if (await Task.WhenAny(accept, exited) != accept || !accept.IsCompletedSuccessfully)
            {
                return await FailedAsync(child, exited, "before it asked for the listeners", deadline.IsCancellationRequested);
            }

            using var connection = await accept;
            if (PeerPid(connection) != pid)
            {
                return await FailedAsync(child, exited, $"another process (pid {PeerPid(connection)}) connected to the hand-over socket first", false);
            }

            var passed = listeners.All;
            SocketPassing.Send(connection, Encoding.UTF8.GetBytes(HandoverClient.Describe(passed)), [.. passed.Select(l => l.Descriptor)]);
            var buffer = new byte[8192];
            int length;
            try
            {
                length = await connection.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return await FailedAsync(child, exited, "before it was ready", true);
            }

            var answer = Encoding.UTF8.GetString(buffer, 0, length);
            if (answer.StartsWith("ready ", StringComparison.Ordinal))
            {
                return new HandoverResult(true, pid, answer["ready ".Length..]);
            }

            var reason = answer.StartsWith("failed ", StringComparison.Ordinal) ? answer["failed ".Length..] : null;
            return await FailedAsync(child, exited, reason is null ? "before it was ready" : $"before it was ready: {reason}", false);
        }
        finally
        {
            child?.Dispose();
            if (file)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>A new gateway that did not take over: ended if it still runs (SIGKILL, so that it stops no pod it may have adopted), and why.</summary>
    private static async Task<HandoverResult> FailedAsync(Process child, Task exited, string when, bool timedOut)
    {
        if (!timedOut)
        {
            // It said why, or closed the connection: it is exiting by itself, with an exit code that says more than a kill's.
            await exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!child.HasExited)
        {
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        await exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var how = timedOut ? $"was not ready within {Timeout.TotalSeconds:0}s and was killed"
            : child.HasExited ? $"exited with code {child.ExitCode.ToString(CultureInfo.InvariantCulture)}" : "stopped answering";
        return new HandoverResult(false, child.Id, $"the new gateway (pid {child.Id}) {how} {when}");
    }

    /// <summary>The same command line, working folder and environment, plus the hand-over socket; <c>WATCHDOG_PID</c> dropped so that the new main process takes the watchdog on.</summary>
    private static ProcessStartInfo StartInfo(string socketPath)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("the gateway's own executable is not known"))
        {
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var arg in Arguments())
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[HandoverClient.SocketVariable] = socketPath;
        info.Environment.Remove("WATCHDOG_PID");
        return info;
    }

    /// <summary>This process's arguments as it was given them (<c>/proc/self/cmdline</c>, after the executable): for <c>dotnet Gateway.dll</c>, the dll first.</summary>
    private static IEnumerable<string> Arguments()
    {
        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0');
        return argv.Skip(1).Take(Math.Max(argv.Length - 2, 0));
    }

    /// <summary>The hand-over socket in the state folder, or in the abstract namespace when that path is too long for a Unix socket (108 bytes).</summary>
    private static (string Path, bool File) SocketPath(string stateDirectory)
    {
        var path = System.IO.Path.Combine(stateDirectory, $"handover-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.sock");
        return Encoding.UTF8.GetByteCount(path) < 100 ? (path, true) : ($"\0gateway-handover-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}", false);
    }

    /// <summary>The connected peer's process id (<c>SO_PEERCRED</c>): only the process this gateway started may take its sockets.</summary>
    private static int PeerPid(Socket connection)
    {
        const int SoPeerCred = 17;
        Span<byte> credentials = stackalloc byte[12];
        return connection.GetRawSocketOption(1, SoPeerCred, credentials) >= 4 ? MemoryMarshal.Read<int>(credentials) : -1;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "hand-over ({Trigger}): starting {Executable} as a new gateway and passing it the listening sockets")]
        public static partial void Starting(ILogger logger, string trigger, string executable);

        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "hand-over: pid {Pid} is serving ({Status}); pid {Old} stops accepting, finishes its requests and exits")]
        public static partial void Succeeded(ILogger logger, int pid, int old, string status);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Error, Message = "hand-over ({Trigger}) failed, this gateway keeps serving: {Reason}")]
        public static partial void Failed(ILogger logger, string trigger, string reason);
    }
}
