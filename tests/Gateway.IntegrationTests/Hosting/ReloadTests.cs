using System.Net;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Every bad input of issue 10 saved while the gateway runs under load: refused whole (an event and
/// the <c>/readyz</c> check naming the field), not one request failed, the same pods, the gateway alive;
/// and then a good edit is applied.
/// </summary>
public sealed class ReloadTests(RunningGateway running) : IClassFixture<RunningGateway>
{
    public static TheoryData<string> Rows => BadInputs.Names();

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Reload_BadInput_RefusedWholeUnderLoadAndNothingChanges(string name)
    {
        var row = BadInputs.Named(name);
        await running.ReadyPodsAsync(2);
        var pods = await running.PodIdentitiesAsync();
        var (failed, logged) = (running.Load.Failed, running.Gateway.Output.Length);

        var applied = await running.ReloadAsync(BadInputs.Files(row, running.Gateway.ProxyPort, running.Gateway.AdminPort, BadInputs.DemoCommand));

        try
        {
            Assert.False(applied, $"{name} was applied");
            var readyz = await running.Gateway.Admin.GetStringAsync("/readyz");
            Assert.True(Regex.IsMatch(readyz, row.Expected), $"no match for {row.Expected} in /readyz:\n{readyz}");
            await running.Load.WaitForMoreAsync(50);
            Assert.True(running.Load.Failed == failed, $"{running.Load.Failed - failed} requests failed:\n{running.Load.FailureSample}");
            Assert.Equal(pods, await running.PodIdentitiesAsync());
            Assert.False(running.Gateway.HasExited);
            GatewayLaunch.AssertNoStackTrace(running.Gateway.Output[logged..]);
        }
        finally
        {
            Assert.True(await running.ReloadAsync(BadInputs.Files(null, running.Gateway.ProxyPort, running.Gateway.AdminPort, BadInputs.DemoCommand)), "the valid files again");
        }
    }

    [Fact]
    public async Task Reload_GoodEdit_AppliedUnderLoad()
    {
        await running.ReadyPodsAsync(2);
        var failed = running.Load.Failed;
        var (settings, manifest) = BadInputs.Files(null, running.Gateway.ProxyPort, running.Gateway.AdminPort, BadInputs.DemoCommand);

        Assert.True(await running.ReloadAsync((settings, manifest.Replace("replicas: 2", "replicas: 3", StringComparison.Ordinal))));
        await running.ReadyPodsAsync(3);
        Assert.True(await running.ReloadAsync((settings, manifest)));
        await running.ReadyPodsAsync(2);

        await running.Load.WaitForMoreAsync(50);
        Assert.True(running.Load.Failed == failed, $"{running.Load.Failed - failed} requests failed:\n{running.Load.FailureSample}");
        Assert.False((await running.Gateway.Admin.GetStringAsync("/readyz")).Contains("[-]config", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await running.Gateway.Proxy.GetAsync("/")).StatusCode);
    }
}
