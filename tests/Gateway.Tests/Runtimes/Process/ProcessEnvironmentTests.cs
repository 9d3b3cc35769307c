using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Runtimes.Process;

public sealed class ProcessEnvironmentTests : IDisposable
{
    private static readonly Dictionary<string, string> Gateway = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/opt/bin:/usr/bin",
        ["HOME"] = "/home/gw",
        ["LANG"] = "C.UTF-8",
        ["TZ"] = "Europe/Paris",
        ["DOTNET_ROOT"] = "/opt/dotnet",
        ["DB_PASSWORD"] = "hunter2",
        ["AWS_SECRET_ACCESS_KEY"] = "abc",
    };

    private readonly string _state = Directory.CreateTempSubdirectory("process-env-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    public static TheoryData<string, bool, string?> Cases => new()
    {
        // variable, inherit, expected value (null: absent)
        { "PATH", false, "/opt/bin:/usr/bin" },
        { "HOME", false, "/home/gw" },
        { "LANG", false, "C.UTF-8" },
        { "TZ", false, "Europe/Paris" },
        { "DOTNET_ROOT", false, "/opt/dotnet" },
        { "DB_PASSWORD", false, null },
        { "AWS_SECRET_ACCESS_KEY", false, null },
        { "DB_PASSWORD", true, "hunter2" },
        { "PORT", false, "31000" },
        { "APP_MODE", false, "fast" },
        { "LANG", true, "en_GB.UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void For_Variable_IsTheContainersOrTheBaseOrAbsent(string name, bool inherit, string? expected)
    {
        var container = new Dictionary<string, string>(StringComparer.Ordinal) { ["PORT"] = "31000", ["APP_MODE"] = "fast", ["LANG"] = "en_GB.UTF-8" };
        if (!inherit)
        {
            container.Remove("LANG");
        }

        var environment = ProcessEnvironment.For(container, Gateway, inherit);

        Assert.Equal(expected, environment.GetValueOrDefault(name));
    }

    [Fact]
    public void For_GatewayWithoutPath_GetsTheContainerRuntimesDefault()
    {
        var environment = ProcessEnvironment.For(new Dictionary<string, string>(), new Dictionary<string, string> { ["SECRET"] = "x" }, inherit: false);

        Assert.Equal(new Dictionary<string, string> { ["PATH"] = ProcessEnvironment.DefaultPath }, environment);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_RealProcessPrintingItsEnvironment_SeesTheGatewaysSecretOnlyWhenInherited(bool inherit)
    {
        const string Secret = "GATEWAY_TEST_SECRET_TOKEN";
        Environment.SetEnvironmentVariable(Secret, "s3cr3t");
        var runtime = new ProcessRuntime(new ProcessRuntimeOptions(_state), Catalog(inherit), NullLoggerFactory.Instance);

        // Running while exec'd into: an exec goes into the container's own namespace, which ends with it.
        await using var instance = await runtime.StartAsync(Launch(["sh", "-c", "env; echo printed; exec sleep 30"], new Dictionary<string, string> { ["GREETING"] = "hello" }), CancellationToken.None);
        for (var waited = 0; !instance.ReadLog().Contains("printed", StringComparison.Ordinal) && waited < 10_000; waited += 20)
        {
            await Task.Delay(20); // bounded: the process prints at once
        }

        var exec = await instance.ExecAsync(["env"], TimeSpan.FromSeconds(10), CancellationToken.None);
        await instance.StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None);

        foreach (var output in new[] { instance.ReadLog(), exec.Output })
        {
            Assert.Contains("GREETING=hello", output, StringComparison.Ordinal);
            Assert.Contains("PATH=", output, StringComparison.Ordinal);
            Assert.Equal(inherit, output.Contains($"{Secret}=s3cr3t", StringComparison.Ordinal));
        }
    }

    private static ServiceCatalog Catalog(bool inherit) =>
        new(new GatewaySpec("http://127.0.0.1:0", "http://127.0.0.1:0", []) { InheritEnvironment = inherit });

    private static ContainerLaunch Launch(string[] argv, Dictionary<string, string> environment) => new()
    {
        Namespace = "default",
        PodName = $"env-{Guid.NewGuid():N}",
        PodUid = "uid",
        ServiceName = "env",
        Container = new V1Container { Name = "app" },
        Argv = argv,
        Environment = environment,
        Ports = [],
    };
}
