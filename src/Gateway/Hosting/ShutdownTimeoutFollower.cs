using Gateway.Specs;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>
/// Keeps the host's shutdown timeout at what the services now need (<see cref="GatewayHost.ShutdownTimeout"/>):
/// a reload that lengthens a grace period lengthens the stop, so a pod is not cut short at shutdown.
/// The host reads the timeout when the stop begins, so its one options object is updated in place.
/// </summary>
internal sealed class ShutdownTimeoutFollower(ServiceCatalog catalog, IOptions<HostOptions> host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        catalog.Changed += Follow;
        Follow(catalog.Current);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        catalog.Changed -= Follow;
        return Task.CompletedTask;
    }

    private void Follow(GatewaySpec spec) => host.Value.ShutdownTimeout = GatewayHost.ShutdownTimeout(spec);
}
