namespace Gateway.Hosting;

/// <summary>
/// Starts <typeparamref name="TService"/> only once the host has started, that is after every
/// listener is bound. WebApplication starts the user's hosted services first and its own web server
/// last, and a <see cref="BackgroundService"/> runs as soon as it is started; so without this, pods
/// would be created before the proxy port is known to be free, and left behind when it is not.
/// When the host never starts, neither does the service. A failure of the service is this one's.
/// </summary>
internal sealed class StartAfterListeners<TService>(TService inner, IHostApplicationLifetime lifetime) : BackgroundService
    where TService : IHostedService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _started;
    private bool _stopped;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hostStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => hostStarted.TrySetResult()))
        using (stoppingToken.Register(() => hostStarted.TrySetResult()))
        {
            await hostStarted.Task;
        }

        // Start and stop exclude each other, so a stop that comes first means the service never starts.
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_stopped || stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await inner.StartAsync(stoppingToken);
            _started = true;
        }
        finally
        {
            _gate.Release();
        }

        if (inner is BackgroundService { ExecuteTask: { } running })
        {
            await running;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _stopped = true;
            if (_started)
            {
                await inner.StopAsync(cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }
}
