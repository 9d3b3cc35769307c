using Gateway.Hosting;
using Gateway.Specs;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Hosting;

public sealed class ShutdownTimeoutFollowerTests
{
    private static GatewaySpec WithGrace(long seconds) =>
        new("", "", [ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", seconds, new k8s.Models.V1Container { Name = "app" }))]);

    [Fact]
    public async Task Start_SetsTheTimeoutTheServicesNeed()
    {
        var host = new HostOptions();
        var follower = new ShutdownTimeoutFollower(new ServiceCatalog(WithGrace(45)), Options.Create(host));

        await follower.StartAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(55), host.ShutdownTimeout); // the longest grace period and 10 s for the listeners
    }

    [Fact]
    public async Task Reload_LongerGracePeriod_LengthensTheStopAndAShorterOneShortensIt()
    {
        var host = new HostOptions();
        var catalog = new ServiceCatalog(WithGrace(30));
        var follower = new ShutdownTimeoutFollower(catalog, Options.Create(host));
        await follower.StartAsync(CancellationToken.None);

        catalog.Update(WithGrace(120));
        Assert.Equal(TimeSpan.FromSeconds(130), host.ShutdownTimeout);

        catalog.Update(WithGrace(5));
        Assert.Equal(TimeSpan.FromSeconds(15), host.ShutdownTimeout);
    }

    [Fact]
    public async Task Stop_LaterReloadsNoLongerFollowed()
    {
        var host = new HostOptions();
        var catalog = new ServiceCatalog(WithGrace(30));
        var follower = new ShutdownTimeoutFollower(catalog, Options.Create(host));
        await follower.StartAsync(CancellationToken.None);

        await follower.StopAsync(CancellationToken.None);
        catalog.Update(WithGrace(120));

        Assert.Equal(TimeSpan.FromSeconds(40), host.ShutdownTimeout);
    }
}
