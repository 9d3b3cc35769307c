using Gateway.Routing;
using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>
/// Says when the started gateway is ready (<see cref="ReadinessRule"/>): to systemd as
/// <c>READY=1</c>, or, for a gateway a hand-over started, to the previous gateway, after opening its
/// own accepts (<see cref="ListenGate"/>), so that one of the two accepts at every moment. Keeps
/// systemd's watchdog fed when it asks for one, and says <c>STOPPING=1</c> at a stop that is not a
/// hand-over. As the stop begins it readies Kestrel's descriptors to let go of the shared sockets
/// (<see cref="ListenerSet.BeforeKestrelStops"/>).
/// </summary>
internal sealed partial class GatewayReadiness(
    ServiceCatalog catalog, EndpointTable endpoints, ListenerSet listeners, ListenGate gate, HandoverClient? handover, GatewayShutdown shutdown,
    SystemdNotifier systemd, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<GatewayReadiness> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The bounded wait for the services' first ready endpoints.</summary>
    public TimeSpan Wait { get; init; } = ReadinessRule.DefaultWait;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = lifetime.ApplicationStopping.Register(OnStopping);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var since = time.GetTimestamp();
        string? status;
        while ((status = ReadinessRule.Decide(Waiting(), catalog.Current.Services.Count, time.GetElapsedTime(since), Wait)) is null)
        {
            try
            {
                await Task.Delay(PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        gate.Open();
        Log.Ready(logger, status);
        if (handover is not null)
        {
            handover.Ready(status);
        }
        else
        {
            systemd.Notify(SystemdState.Ready(status));
        }

        if (SystemdState.WatchdogInterval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId) is { } interval)
        {
            using var timer = new PeriodicTimer(interval, time);
            try
            {
                do
                {
                    systemd.Notify(SystemdState.Watchdog);
                }
                while (await timer.WaitForNextTickAsync(stoppingToken));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private IReadOnlyList<string> Waiting() =>
        ReadinessRule.Waiting(catalog.Current, service => endpoints.ForService(service).Any(e => e.Ready));

    private void OnStopping()
    {
        listeners.BeforeKestrelStops();
        if (!shutdown.HandedOver)
        {
            systemd.Notify(SystemdState.Stopping);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "gateway {Status}")]
        public static partial void Ready(ILogger logger, string status);
    }
}
