using Gateway.Runtimes.Process;

namespace Gateway.Hosting;

/// <summary>
/// At start, before any pod: ends the process groups that a gateway which crashed left running
/// (a pod of its would otherwise run twice, or hold the port its replacement needs), keeping the
/// folders that pods left for adoption still use (<paramref name="inUse"/>).
/// </summary>
internal sealed class OrphanReaping(string root, int gatewayPid, Func<IReadOnlySet<string>>? inUse = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        OrphanReaper.ReapOrphans(root, gatewayPid, inUse?.Invoke());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
