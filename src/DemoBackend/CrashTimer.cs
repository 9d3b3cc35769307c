namespace DemoBackend;

/// <summary>Ends the process abruptly after --crash-after, as a crashing container would, for restart tests.</summary>
internal sealed class CrashTimer(BackendOptions options, TimeProvider time) : IHostedService, IDisposable
{
    private ITimer? timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.CrashAfter is { } crashAfter)
        {
            timer = time.CreateTimer(_ => Crash(), null, crashAfter, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => timer?.Dispose();

    private void Crash()
    {
        Console.Error.WriteLine($"demo-backend: crashing as asked by --crash-after, exit code {options.ExitCode}");
        Environment.Exit(options.ExitCode);
    }
}
