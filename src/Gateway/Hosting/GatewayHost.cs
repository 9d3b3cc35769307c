using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// Runs the host and turns how it ended into the exit code and one line on standard error: 0 after a
/// normal stop; 2 for what a user can fix (a listener that cannot bind); 1 for anything unexpected,
/// including a background service that failed (the host drains first, as on SIGTERM). Never a stack
/// trace on the console, never the runtime's exit 134.
/// </summary>
internal static partial class GatewayHost
{
    public const int Stopped = 0;
    public const int Unexpected = 1;
    public const int UserError = 2;

    /// <summary>The host's own log category: its start and stop failures are reported here instead, in one line.</summary>
    public const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>The longest stop the host can wait for: its timer takes at most int.MaxValue milliseconds (24.8 days).</summary>
    public static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMilliseconds(int.MaxValue);


    /// <summary>From here on, an exception nothing caught is one line and exit 1, not the runtime's dump and 134.</summary>
    public static void ExitOnUnhandledException(TextWriter stderr) =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            stderr.WriteLine($"gateway: {Describe(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString()))}");
            stderr.Flush();
            Environment.Exit(Unexpected);
        };

    /// <summary>The time a stop may take: the longest grace period of any pod, plus a margin for the listeners.</summary>
    public static TimeSpan ShutdownTimeout(GatewaySpec spec)
    {
        var longest = spec.Services.Select(s => s.Pods?.PodSpec.TerminationGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds).DefaultIfEmpty(PodSpecDefaults.TerminationGracePeriodSeconds).Max();
        return TimeSpan.FromSeconds(Math.Min(Math.Max(longest, 0) + 10.0, MaxShutdownTimeout.TotalSeconds));
    }

    /// <summary>Binds every listener, before anything is built or any pod runs: a port in use is a start error, exit 2.</summary>
    /// <returns>The exit code when a listener could not be bound; null when all are.</returns>
    public static int? Bind(ListenerSet listeners, GatewaySpec spec, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        try
        {
            listeners.Bind();
            return null;
        }
        catch (IOException e) when (ListenerFailure.Describe(e, spec, PortHolder.Describe) is { } line)
        {
            stderr.WriteLine($"gateway: {line}");
            return UserError;
        }
        catch (FormatException e)
        {
            stderr.WriteLine($"gateway: Gateway:Proxy:Urls or Gateway:Admin:Urls: {GoSyntax.OneLine(e.Message)}");
            return UserError;
        }
    }

    /// <summary>Runs the host until it stops (its listeners are bound already, see <see cref="Bind"/>): exit 0, or 1 with one line naming what failed.</summary>
    public static async Task<int> RunAsync(IHost host, TextWriter stderr)
    {
        try
        {
            var hosted = host.Services.GetServices<IHostedService>().ToList();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayHost).FullName!);
            await host.StartAsync();
            await host.WaitForShutdownAsync();
            if (hosted.OfType<BackgroundService>().FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true }) is { } failed)
            {
                var name = NameOf(failed);
                var exception = failed.ExecuteTask!.Exception!.GetBaseException();
                Log.ServiceFailed(logger, name, exception);
                stderr.WriteLine($"gateway: {name} failed: {Describe(exception)}; the gateway drained and stopped");
                return Unexpected;
            }

            return Stopped;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"gateway: {Describe(e)}");
            return Unexpected;
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    /// <summary>One line: the exception's type and message (a message's own line breaks joined).</summary>
    public static string Describe(Exception e)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
        return $"unexpected {inner.GetType().Name}: {GoSyntax.OneLine(inner.Message)}";
    }


    /// <summary>A service's class name; for a wrapper such as <see cref="StartAfterListeners{TService}"/>, the wrapped one's.</summary>
    private static string NameOf(BackgroundService service) =>
        service.GetType() is { IsGenericType: true } type ? type.GetGenericArguments()[0].Name : service.GetType().Name;

    private static async Task DisposeAsync(IHost host)
    {
        try
        {
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
        catch (Exception)
        {
            // The exit code already says how the gateway ended; a failure to release what is left changes nothing.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 810, Level = LogLevel.Critical, Message = "{Service} failed; the gateway drained its pods and stopped")]
        public static partial void ServiceFailed(ILogger logger, string service, Exception exception);
    }
}
