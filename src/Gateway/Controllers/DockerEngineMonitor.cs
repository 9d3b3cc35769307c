using Gateway.Runtimes.Docker;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Specs;

namespace Gateway.Controllers;

/// <summary>
/// Asks the Docker engine every few seconds whether it answers. An engine that is missing or stops
/// answering is an error in the log, on <c>/readyz</c> and as a Warning event on every Docker pod; it is
/// never a crash: pods keep their traffic while they pass their probes, and management resumes (and
/// the error clears) when the engine answers again. It asks only while a Docker service is
/// configured, so a service that a configuration reload adds is watched too; the runtime (and Docker's
/// client with it) is made only then.
/// </summary>
internal sealed partial class DockerEngineMonitor(
    Lazy<DockerRuntime> docker, ServiceCatalog catalog, GatewayStatus status, PodRegistry registry, EventRecorder events, ILogger<DockerEngineMonitor> logger)
    : BackgroundService
{
    private const string Component = "docker";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? down = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? error = null;
            if (!catalog.Current.Services.Any(s => s.Pods?.Runtime == RuntimeKind.Docker))
            {
                status.SetProblem(Component, null);
                down = null;
                await DelayAsync(stoppingToken);
                continue;
            }

            var runtime = docker.Value;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(PingTimeout);
                await runtime.PingAsync(timeout.Token);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                error = DockerErrors.IsUnreachable(e) ? DockerErrors.Unreachable(runtime.Endpoint, e) : $"the Docker engine at {runtime.Endpoint} answered with an error: {DockerErrors.Message(e)}";
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (error is not null && down is null)
            {
                Log.EngineDown(logger, error);
                status.SetProblem(Component, error);
                foreach (var pod in registry.Pods.Values.Where(p => p.Runtime == RuntimeKind.Docker))
                {
                    events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Warning, "RuntimeUnavailable", $"{error}; pods that pass their probes keep their traffic");
                }
            }
            else if (error is null && down is not null)
            {
                Log.EngineBack(logger, runtime.Endpoint);
                status.SetProblem(Component, null);
                foreach (var pod in registry.Pods.Values.Where(p => p.Runtime == RuntimeKind.Docker))
                {
                    events.Record(pod.Namespace, pod.Name, pod.Uid, EventType.Normal, "RuntimeAvailable", $"the Docker engine at {runtime.Endpoint} answers again");
                }
            }

            down = error;
            await DelayAsync(stoppingToken);
        }
    }

    private static async Task DelayAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Period, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Error, Message = "{Error}; pods that pass their probes keep their traffic, and their management resumes when it answers")]
        public static partial void EngineDown(ILogger logger, string error);

        [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "the Docker engine at {Endpoint} answers again")]
        public static partial void EngineBack(ILogger logger, Uri endpoint);
    }
}
