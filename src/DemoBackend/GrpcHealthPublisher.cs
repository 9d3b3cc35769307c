using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace DemoBackend;

/// <summary>Keeps <c>grpc.health.v1.Health</c> in step with liveness, for the service "" and "demo".</summary>
internal sealed class GrpcHealthPublisher(HealthState state, HealthServiceImpl health) : IHostedService
{
    private static readonly string[] Services = ["", "demo"];

    // Serialises publishers, and each reads the state inside the lock, so the last one to run publishes the latest state.
    private readonly Lock gate = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        state.LivenessChanged += Publish;
        Publish();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        state.LivenessChanged -= Publish;
        return Task.CompletedTask;
    }

    private void Publish()
    {
        lock (gate)
        {
            var status = state.IsLive ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing;
            foreach (var service in Services)
            {
                health.SetStatus(service, status);
            }
        }
    }
}
