using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Admin;

/// <summary>The admin access settings at start-up, against the real executable.</summary>
public sealed class AdminStartupTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    public async Task Start_ConfiguredTokenFileMissing_Exit2NamingTheField(string adminHost)
    {
        var directory = Directory.CreateTempSubdirectory("gateway-it-").FullName;
        var settings = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(settings, GatewayProcess.Settings("{}", FreePort.Get(), FreePort.Get(), adminHost: adminHost));

        var (exitCode, output) = await GatewayProcess.RunToExitAsync("--config", settings, "--Gateway:Admin:TokenFile=secret/admin-token");

        Assert.Equal(2, exitCode);
        Assert.Contains($"gateway: Gateway:Admin:TokenFile: Invalid value: \"{Path.Combine(directory, "secret", "admin-token")}\": cannot read the admin token: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
