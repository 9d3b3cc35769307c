using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Specs;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary>The hand-over's pure decisions: what a URL binds, which passed sockets a new gateway keeps, when it is ready, what systemd is told.</summary>
public sealed class HandoverDecisionsTests
{
    [Fact]
    public void Parse_Localhost_IsBothLoopbacks()
    {
        var address = ListenAddress.Parse(" http://localhost:8080 ");

        Assert.Equal("http://localhost:8080", address.Url);
        Assert.Equal(["127.0.0.1:8080", "[::1]:8080"], address.EndPoints.Select(e => e.ToString()));
        Assert.False(address.Https);
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", "127.0.0.1:0", true, false)]
    [InlineData("http://[::1]:9090", "[::1]:9090", false, false)]
    [InlineData("http://0.0.0.0:80", "0.0.0.0:80", false, false)]
    [InlineData("http://[::]:80", "[::]:80", false, true)]
    [InlineData("http://*:8080", "[::]:8080", false, true)]
    [InlineData("http://+:8080", "[::]:8080", false, true)]
    [InlineData("http://gateway.example:8080", "[::]:8080", false, true)]
    public void Parse_AnAddressOrAName_BindsWhatKestrelWould(string url, string endPoint, bool https, bool anyInterface)
    {
        var address = ListenAddress.Parse(url);

        Assert.Equal(endPoint, Assert.Single(address.EndPoints).ToString());
        Assert.Equal(https, address.Https);
        Assert.Equal(anyInterface, address.AnyInterface);
    }

    [Fact]
    public void Parse_UnixSocket_IsItsPath()
    {
        Assert.IsType<UnixDomainSocketEndPoint>(Assert.Single(ListenAddress.Parse("http://unix:/run/gateway.sock").EndPoints));
    }

    [Fact]
    public void Parse_LocalhostPortZero_IsRefusedWithTheFix()
    {
        var e = Assert.Throws<FormatException>(() => ListenAddress.Parse("http://localhost:0"));
        Assert.Contains("use 127.0.0.1:0 or [::1]:0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAll_SplitsOnSemicolons()
    {
        Assert.Equal(["http://127.0.0.1:1", "https://127.0.0.1:2"], ListenAddress.ParseAll("http://127.0.0.1:1; https://127.0.0.1:2;").Select(a => a.Url));
    }

    private static PassedListener Passed(string url, int index, string local, int fd) =>
        new(url, index, IPEndPoint.Parse(local), fd);

    [Fact]
    public void Match_UnchangedUrls_KeepTheirSockets_NothingIsBound()
    {
        var passed = new[] { Passed("http://localhost:8080", 0, "127.0.0.1:8080", 10), Passed("http://localhost:8080", 1, "[::1]:8080", 11), Passed("http://127.0.0.1:9090", 0, "127.0.0.1:9090", 12) };

        var (planned, unused) = HandoverPlan.Match([("Proxy", ListenAddress.Parse("http://localhost:8080")), ("Admin", ListenAddress.Parse("http://127.0.0.1:9090"))], passed);

        Assert.Equal([10, 11, 12], planned.Select(p => p.Passed?.Descriptor));
        Assert.Equal(["Proxy", "Proxy", "Admin"], planned.Select(p => p.Role));
        Assert.Empty(unused);
    }

    [Fact]
    public void Match_PortZero_KeepsThePortItWasGiven()
    {
        var (planned, _) = HandoverPlan.Match([("Proxy", ListenAddress.Parse("http://127.0.0.1:0"))], [Passed("http://127.0.0.1:0", 0, "127.0.0.1:41234", 10)]);

        Assert.Equal(10, Assert.Single(planned).Passed?.Descriptor);
    }

    [Fact]
    public void Match_ChangedProxyUrl_BindsTheNewOne_ClosesTheOld_KeepsTheAdmins()
    {
        var passed = new[] { Passed("http://127.0.0.1:8080", 0, "127.0.0.1:8080", 10), Passed("http://127.0.0.1:9090", 0, "127.0.0.1:9090", 12) };

        var (planned, unused) = HandoverPlan.Match([("Proxy", ListenAddress.Parse("http://127.0.0.1:8081")), ("Admin", ListenAddress.Parse("http://127.0.0.1:9090"))], passed);

        Assert.Null(planned[0].Passed);
        Assert.Equal(12, planned[1].Passed?.Descriptor);
        Assert.Equal(10, Assert.Single(unused).Descriptor);
    }

    [Fact]
    public void Match_SameAddressUnderAnotherName_KeepsTheSocket_ForASecondBindWouldFindThePortTaken()
    {
        // 127.0.0.1:8080 becomes localhost:8080: its IPv4 socket is the old one, [::1] is new.
        var (planned, unused) = HandoverPlan.Match([("Proxy", ListenAddress.Parse("http://localhost:8080"))], [Passed("http://127.0.0.1:8080", 0, "127.0.0.1:8080", 10)]);

        Assert.Equal([10, null], planned.Select(p => p.Passed?.Descriptor));
        Assert.Empty(unused);
    }

    [Fact]
    public void Match_APassedSocketIsTakenOnce()
    {
        var (planned, _) = HandoverPlan.Match(
            [("Proxy", ListenAddress.Parse("http://127.0.0.1:8080")), ("Admin", ListenAddress.Parse("http://127.0.0.1:8080"))], [Passed("http://127.0.0.1:8080", 0, "127.0.0.1:8080", 10)]);

        Assert.Equal([10, null], planned.Select(p => p.Passed?.Descriptor)); // the second bind fails as a port named twice does today
    }

    private static GatewaySpec Spec(params ServiceSpec[] services) => new("", "", services);

    private static ServiceSpec Pods(string name, int replicas, bool ports = true) =>
        ServiceSpecs.Create(ServiceSpecs.PodSpec("Always", 30, new k8s.Models.V1Container { Name = "app", Ports = ports ? [new k8s.Models.V1ContainerPort { ContainerPort = 8080 }] : null }), replicas, name: name);

    [Fact]
    public void Waiting_ServicesWithoutAReadyEndpoint_ButNotOnesThatRunNoReplicaOrDeclareNoPort()
    {
        // "seed" is the demo's liveness-exec pod: no port, so never an endpoint, never waited for.
        var spec = Spec(Pods("web", 2), Pods("api", 1), Pods("idle", 0), Pods("seed", 1, ports: false));

        Assert.Equal(["api"], ReadinessRule.Waiting(spec, service => service == "web"));
    }

    [Fact]
    public void Decide_EveryServiceReady_ReadyAtOnce()
    {
        Assert.Equal("ready: 2 service(s), each with a ready endpoint", ReadinessRule.Decide([], 2, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Decide_AServiceWaiting_WaitsUntilTheBoundThenSaysWhichOne()
    {
        Assert.Null(ReadinessRule.Decide(["api"], 2, TimeSpan.FromSeconds(29.9), TimeSpan.FromSeconds(30)));
        Assert.Equal("ready after waiting 30s: 1 of 2 service(s) without a ready endpoint yet: api", ReadinessRule.Decide(["api"], 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void SystemdStates_AsSdNotifySpellsThem()
    {
        Assert.Equal("READY=1\nSTATUS=ready: a b", SystemdState.Ready("ready: a\nb"));
        Assert.Equal("MAINPID=4321\nREADY=1\nSTATUS=ok", SystemdState.HandedOver(4321, "ok"));
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=123\n", SystemdState.Reloading(123), StringComparison.Ordinal);
        Assert.Equal("STOPPING=1", SystemdState.Stopping);
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "100", 15.0)]
    [InlineData("30000000", "101", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void WatchdogInterval_HalfOfWhatSystemdAsks_OnlyOfThisProcess(string? usec, string? pid, double? seconds)
    {
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), SystemdState.WatchdogInterval(usec, pid, 100));
    }

    [Theory]
    [InlineData("/run/systemd/notify", "/run/systemd/notify")]
    [InlineData("@gateway", "\0gateway")]
    public void NotifySocket_PathOrAbstractName(string value, string path)
    {
        Assert.Equal(new UnixDomainSocketEndPoint(path).ToString(), SystemdNotifier.EndPointOf(value)!.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@")]
    [InlineData("relative/path")]
    public void NotifySocket_AnythingElse_NoNotifications(string? value)
    {
        Assert.Null(SystemdNotifier.EndPointOf(value));
    }

    [Fact]
    public void HandoverMessage_LinesPairWithTheirDescriptors_AndACountThatDiffersIsRefused()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var fd = (int)listener.SafeHandle.DangerousGetHandle();

        var passed = Assert.Single(HandoverClient.Parse("1\thttp://localhost:8080\n", [fd]));

        Assert.Equal(new PassedListener("http://localhost:8080", 1, listener.LocalEndPoint!, fd), passed);
        Assert.Contains("names 1 listener(s) but carries 0 socket(s)", Assert.Throws<IOException>(() => HandoverClient.Parse("0\thttp://a:1\n", [])).Message, StringComparison.Ordinal);
    }
}
