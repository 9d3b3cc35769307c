using Gateway.Probes;
using Gateway.Runtimes;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes;

public sealed class PodNetworkTests
{
    [Theory]
    [InlineData(null, null, PodNetworkMode.Pod)]
    [InlineData("Auto", null, PodNetworkMode.Pod)]
    [InlineData("pod", null, PodNetworkMode.Pod)]
    [InlineData("Host", null, PodNetworkMode.Host)]
    [InlineData("Host", "not root", PodNetworkMode.Host)]
    [InlineData(null, "not root", PodNetworkMode.Host)]
    [InlineData("Auto", "not root", PodNetworkMode.Host)]
    public void Decide_PodWhereTheHostAllowsIt_HostWhereAskedOrNotAllowed(string? setting, string? problem, PodNetworkMode expected)
    {
        var (mode, said, error) = PodNetworkSetting.Decide(setting, problem);

        Assert.Equal(expected, mode);
        Assert.Null(error);
        Assert.StartsWith($"pod network: {expected}", said, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AutoOnAHostWithoutNamespaces_SaysWhyAndWhatToSet()
    {
        var (_, said, _) = PodNetworkSetting.Decide(null, "the gateway runs neither as root nor with CAP_SYS_ADMIN");

        Assert.Contains("(the gateway runs neither as root nor with CAP_SYS_ADMIN)", said, StringComparison.Ordinal);
        Assert.Contains("must listen on $PORT", said, StringComparison.Ordinal);
        Assert.Contains("Gateway:PodNetwork", said, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PodAskedForWhereItCannotBe_IsAnErrorNamingTheFieldAndTheFix()
    {
        var (_, _, error) = PodNetworkSetting.Decide("Pod", "ip not found");

        Assert.Equal("Gateway:PodNetwork: Invalid value: \"Pod\": this host gives pods no network namespace (ip not found); run the gateway as root or with CAP_SYS_ADMIN, or set it to \"Auto\" or \"Host\"", error);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("host", null)]
    [InlineData("Bridge", "must be one of \"Auto\", \"Pod\", \"Host\"")]
    public void Problem_NamesTheValues(string? setting, string? expected) => Assert.Equal(expected, PodNetworkSetting.Problem(setting));

    [Fact]
    public void AllocateIp_GivesDistinctPodIpsAndReusesOnlyReleasedOnes()
    {
        var networks = new PodNetworks(PodNetworkMode.Pod);
        var first = networks.AllocateIp();
        var second = networks.AllocateIp();

        Assert.Equal("127.1.0.1", first);
        Assert.Equal("127.1.0.2", second);
        Assert.True(PodNetworks.IsPodIp(first));
        Assert.False(PodNetworks.IsPodIp("127.0.0.1"));
        Assert.False(PodNetworks.IsPodIp("127.2.0.1"));
        Assert.False(PodNetworks.IsPodIp("::1"));

        networks.Release("uid", first);
        var ips = Enumerable.Range(0, 65533).Select(_ => networks.AllocateIp()).ToList();
        Assert.Equal(65533, ips.Distinct().Count());
        Assert.Contains(first, ips);
        Assert.DoesNotContain(second, ips);
        Assert.Throws<InvalidOperationException>(networks.AllocateIp);
    }

    [Fact]
    public void ContainerPorts_AreTheDeclaredOnes()
    {
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "web", Ports = [new V1ContainerPort { ContainerPort = 80, Name = "http" }] }, new V1Container { Name = "side" }],
            InitContainers = [new V1Container { Name = "init", Ports = [new V1ContainerPort { ContainerPort = 9000 }] }],
        };

        var ports = PodNetworks.ContainerPorts(spec);

        Assert.Equal([new PortMapping("http", 80, 80)], ports["web"].ToArray());
        Assert.Empty(ports["side"]);
        Assert.Equal([new PortMapping(null, 9000, 9000)], ports["init"].ToArray());
    }

    private static ProbeTarget Target(string podIp, params PortMapping[] ports) =>
        new() { PodIp = podIp, Ports = ports, Exec = (_, _, _) => throw new InvalidOperationException() };

    private static V1Probe HttpGet(string port, string? host = null) => new() { HttpGet = new V1HTTPGetAction { Port = port, Host = host } };

    [Fact]
    public void Hint_HostModeRefusedOnTheHostPort_SaysTheAppMustListenOnPort()
    {
        var hint = PodNetworkHint.For(ProbeKind.Readiness, HttpGet("80"), Target("127.0.0.1", new PortMapping(null, 80, 41234)),
            ProbeOutcome.Failure("Get \"http://127.0.0.1:41234/\": dial tcp 127.0.0.1:41234: connect: connection refused"));

        Assert.NotNull(hint);
        Assert.StartsWith("Readiness probe of containerPort 80 went to host port 41234, where nothing listens", hint, StringComparison.Ordinal);
        Assert.Contains("must listen on $PORT (41234), not on 80", hint, StringComparison.Ordinal);
        Assert.Contains("Gateway:PodNetwork", hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Hint_ByPortName_TcpSocket() =>
        Assert.NotNull(PodNetworkHint.For(ProbeKind.Liveness, new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "http" } },
            Target("127.0.0.1", new PortMapping("http", 80, 41234)), ProbeOutcome.Failure("dial tcp 127.0.0.1:41234: connect: connection refused")));

    [Fact]
    public void Hint_NoneInPodMode_ForOtherFailures_AnExplicitHost_OrAnUndeclaredPort()
    {
        var refused = ProbeOutcome.Failure("dial tcp: connect: connection refused");
        var mapped = new PortMapping(null, 80, 41234);

        Assert.Null(PodNetworkHint.For(ProbeKind.Readiness, HttpGet("80"), Target("127.1.0.7", new PortMapping(null, 80, 80)), refused));
        Assert.Null(PodNetworkHint.For(ProbeKind.Readiness, HttpGet("80"), Target("127.0.0.1", mapped), ProbeOutcome.Failure("HTTP probe failed with statuscode: 500")));
        Assert.Null(PodNetworkHint.For(ProbeKind.Readiness, HttpGet("80", host: "127.0.0.1"), Target("127.0.0.1", mapped), refused));
        Assert.Null(PodNetworkHint.For(ProbeKind.Readiness, HttpGet("8080"), Target("127.0.0.1", mapped), refused));
        Assert.Null(PodNetworkHint.For(ProbeKind.Readiness, new V1Probe { Exec = new V1ExecAction { Command = ["true"] } }, Target("127.0.0.1", mapped), refused));
    }
}
