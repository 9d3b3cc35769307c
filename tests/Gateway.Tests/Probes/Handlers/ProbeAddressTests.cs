using Gateway.Probes.Handlers;
using Gateway.Runtimes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Probes.Handlers;

public sealed class ProbeAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", 80, "127.0.0.1:80")]
    [InlineData("localhost", 8080, "localhost:8080")]
    [InlineData("::1", 80, "[::1]:80")]
    [InlineData("fd00::10", 443, "[fd00::10]:443")]
    [InlineData("[::1]", 80, "[::1]:80")]
    public void JoinHostPort_Host_BracketsIPv6(string host, int port, string expected) =>
        Assert.Equal(expected, ProbeAddress.JoinHostPort(host, port));

    [Theory]
    [InlineData("http", 18080)]
    [InlineData("8080", 18080)]
    [InlineData("9090", 9090)]
    [InlineData("metrics", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("70000", null)]
    public void ResolvePort_Port_NumberOrNameInRange(string? port, int? expected)
    {
        var target = ProbeTargets.Target(new PortMapping("http", 8080, 18080));

        Assert.Equal(expected, ProbeAddress.ResolvePort(port, target));
    }

    [Theory]
    [InlineData("metrics", "strconv.Atoi: parsing \"metrics\": invalid syntax")]
    [InlineData("70000", "invalid port number: 70000")]
    [InlineData("-1", "invalid port number: -1")]
    [InlineData("0", "invalid port number: 0")]
    [InlineData(null, "invalid port number: 0")]
    [InlineData("", "invalid port number: 0")]
    public void PortNotFound_Port_InTheKubeletsWords(string? port, string expected) =>
        Assert.Equal(expected, ProbeAddress.PortNotFound(port));
}
