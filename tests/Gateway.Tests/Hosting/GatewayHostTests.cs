using Gateway.Hosting;
using Gateway.Specs;
using Gateway.Tests.TestSupport;
using k8s.Models;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Hosting;

public sealed class GatewayHostTests
{
    private static readonly GatewaySpec Spec = new("http://127.0.0.1:8080", "http://127.0.0.1:9090", []);

    /// <summary>Stands in for the replica controller: records what the host did with it.</summary>
    private sealed class Recording : BackgroundService
    {
        private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Started { get; private set; }

        /// <summary>Completes once the host has started this service.</summary>
        public Task Running => _running.Task;

        public bool Stopped { get; private set; }

        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Started = true;
            _running.TrySetResult();
            return Cancellation.WhenCancelled(stoppingToken);
        }

        public override Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return base.StopAsync(cancellationToken);
        }
    }

    private sealed class Failing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the runtime went away\nfor good");
        }
    }

    /// <summary>Fails while the gateway runs: once the deferred service runs too, so that there is something to drain.</summary>
    private sealed class FailingWhileRunning(Recording deferred) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await deferred.Running.WaitAsync(stoppingToken);
            throw new InvalidOperationException("the runtime went away\nfor good");
        }
    }

    /// <summary>Stands in for a web server whose StartAsync throws, as Kestrel does when it cannot bind.</summary>
    private sealed class Throwing(Exception exception) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromException(exception);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static (IHost Host, Recording Deferred) Build(Action<IServiceCollection> more)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Recording>();
        builder.Services.AddHostedService(sp => new StartAfterListeners<Recording>(sp.GetRequiredService<Recording>(), sp.GetRequiredService<IHostApplicationLifetime>()));
        more(builder.Services);
        var host = builder.Build();
        return (host, host.Services.GetRequiredService<Recording>());
    }

    private static async Task<(int Exit, string Stderr)> RunAsync(IHost host)
    {
        using var stderr = new StringWriter();
        var exit = await GatewayHost.RunAsync(host, stderr).WaitAsync(TimeSpan.FromSeconds(10));
        return (exit, stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_NormalStop_Exit0AndTheDeferredServiceRanAndStopped()
    {
        var (host, deferred) = Build(_ => { });
        var run = RunAsync(host);
        await deferred.Running.WaitAsync(ConditionSignal.SafetyNet);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var (exit, stderr) = await run;

        Assert.Equal((0, ""), (exit, stderr));
        Assert.True(deferred.Started);
        Assert.True(deferred.Stopped);
    }

    [Fact]
    public async Task RunAsync_BackgroundServiceFails_DrainsThenExit1NamingItInOneLine()
    {
        var (host, deferred) = Build(s => s.AddHostedService<FailingWhileRunning>());

        var (exit, stderr) = await RunAsync(host);

        Assert.Equal(1, exit);
        Assert.Equal("gateway: FailingWhileRunning failed: unexpected InvalidOperationException: the runtime went away for good; the gateway drained and stopped" + Environment.NewLine, stderr);
        Assert.True(deferred.Stopped, "the host stopped the other services as on SIGTERM");
    }

    [Fact]
    public async Task RunAsync_DeferredServiceFails_NamesTheWrappedService()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Failing>();
        builder.Services.AddHostedService(sp => new StartAfterListeners<Failing>(sp.GetRequiredService<Failing>(), sp.GetRequiredService<IHostApplicationLifetime>()));

        var (exit, stderr) = await RunAsync(builder.Build());

        Assert.Equal(1, exit);
        Assert.StartsWith("gateway: Failing failed: unexpected InvalidOperationException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnexpectedStartFailure_Exit1InOneLine()
    {
        var (host, deferred) = Build(s => s.AddHostedService(_ => new Throwing(new InvalidOperationException("no"))));

        var (exit, stderr) = await RunAsync(host);

        Assert.Equal((1, "gateway: unexpected InvalidOperationException: no" + Environment.NewLine), (exit, stderr));
        Assert.False(deferred.Started);
    }

    [Theory]
    [InlineData(null, 40)]
    [InlineData(5L, 15)]
    [InlineData(0L, 10)]
    [InlineData(-5L, 10)]
    [InlineData(2147473L, 2147483)]
    [InlineData(2147474L, 2147483.647)]
    [InlineData(2147483647L, 2147483.647)]
    [InlineData(long.MaxValue, 2147483.647)]
    public void ShutdownTimeout_LongestGracePlusTen_AtMostWhatTheHostsTimerTakes(long? grace, double expectedSeconds)
    {
        var service = ServiceSpecs.Create(new V1PodSpec { Containers = [], TerminationGracePeriodSeconds = grace });

        var timeout = GatewayHost.ShutdownTimeout(Spec with { Services = [service] });

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), timeout);
        using var timer = new CancellationTokenSource(timeout);
    }
}
