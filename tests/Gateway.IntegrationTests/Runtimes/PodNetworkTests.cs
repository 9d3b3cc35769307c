using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Probes;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Runtimes;

/// <summary>
/// Pods with a network of their own (<c>Gateway:PodNetwork</c>) on the Process runtime and real
/// sockets: apps listen on their containerPort (the same port in every replica), the containers of a
/// pod share localhost, and in host mode a probe that finds nothing on the host port says why.
/// Pod mode needs root and util-linux (skipped elsewhere).
/// </summary>
public sealed class PodNetworkTests(ITestOutputHelper output)
{
    private const string PodMode = "\"PodNetwork\": \"Pod\"";

    private static void SkipUnlessNamespaces() =>
        Skip.IfNot(Environment.IsPrivilegedProcess && File.Exists("/usr/bin/unshare") && File.Exists("/usr/bin/nsenter") && File.Exists("/usr/sbin/ip"),
            "needs root, util-linux's unshare and nsenter, and iproute2's ip");

    private static V1ContainerStatus Container(V1Pod pod, string name) => pod.Status.ContainerStatuses.Single(c => c.Name == name);

    private static bool AllReady(V1Pod pod) => pod.Status.ContainerStatuses?.Count > 0 && pod.Status.ContainerStatuses.All(c => c.Ready);

    /// <summary>A busybox web server on a fixed port that says which pod it is.</summary>
    private static string Httpd(int port) =>
        $"command: [/bin/sh, -c, 'mkdir -p www && echo \"hello from $POD_NAME on $PORT\" > www/index.html && exec busybox httpd -f -p {port} -h www']";

    private static string Deployment(int replicas, string containers) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
        {{{containers}}}
        """;

    private static async Task<GatewayProcess> StartAsync(string yaml, string gatewayJson)
    {
        var directory = Directory.CreateTempSubdirectory("gateway-podnet-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "web.yaml"), yaml);
        return await GatewayProcess.StartAsync("""{ "web": { "Manifest": "web.yaml" } }""", directory, gatewayJson);
    }

    [SkippableFact]
    public async Task TwoReplicasOnPort80_BothReadyAndBothAnswerThroughTheGateway()
    {
        SkipUnlessNamespaces();
        await using var gateway = await StartAsync(Deployment(2, $"""
                  - name: web
                    {Httpd(80)}
                    ports: [{"{"}containerPort: 80{"}"}]
                    readinessProbe: {"{"}httpGet: {"{"}port: 80, path: /{"}"}, periodSeconds: 1{"}"}
            """), PodMode);

        var pods = await AssertBothAnswerOnPort80Async(gateway, TimeSpan.FromSeconds(30));
        Assert.Equal(2, pods.Select(p => p.Status.PodIP).Distinct().Count());
        Assert.All(pods, p => Assert.Equal("127.0.0.1", p.Status.HostIP));
        Assert.Contains("pod network: Pod", gateway.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TwoContainerPod_TheSecondsReadinessProbeCallsTheFirstOnLocalhost()
    {
        SkipUnlessNamespaces();
        await using var gateway = await StartAsync(Deployment(1, $"""
                  - name: web
                    {Httpd(8080)}
                    ports: [{"{"}containerPort: 8080{"}"}]
                  - name: side
                    command: [busybox, sleep, '3600']
                    readinessProbe: {"{"}exec: {"{"}command: [busybox, wget, -q, -O, /dev/null, 'http://localhost:8080/']{"}"}, periodSeconds: 1{"}"}
            """), PodMode);

        var pod = (await gateway.WaitForPodsAsync(p => p.Count == 1 && p.All(AllReady), "both containers Ready"))[0];
        Assert.True(Container(pod, "side").Ready);

        // The same call on the host's own loopback finds nothing: 8080 is the pod's alone.
        using var host = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await host.ConnectAsync(new IPEndPoint(IPAddress.Loopback, 8080)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task HostMode_AnAppOnItsContainerPortInsteadOfPORT_GetsAnEventSayingWhyItsProbesFail()
    {
        var port = FreePort();
        await using var gateway = await StartAsync(Deployment(1, $"""
                  - name: web
                    command: [busybox, httpd, -f, -p, '127.0.0.1:{port}', -h, /nonexistent]
                    ports: [{"{"}containerPort: {port}{"}"}]
                    readinessProbe: {"{"}tcpSocket: {"{"}port: {port}{"}"}, periodSeconds: 1{"}"}
            """), "\"PodNetwork\": \"Host\"");

        await Poll.UntilAsync(async () => (await gateway.GetEventsAsync()).Any(e => e.Reason == PodNetworkHint.Reason), "the HostPortNotListening event", TimeSpan.FromSeconds(30));
        var hint = (await gateway.GetEventsAsync()).First(e => e.Reason == PodNetworkHint.Reason);
        var hostPort = (await gateway.GetPodsAsync()).Items[0].Spec.Containers[0].Ports[0].HostPort;

        Assert.Equal("Warning", hint.Type);
        Assert.StartsWith($"Readiness probe of containerPort {port} went to host port {hostPort}, where nothing listens", hint.Message, StringComparison.Ordinal);
        Assert.Contains("must listen on $PORT", hint.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:PodNetwork", hint.Message, StringComparison.Ordinal);
        Assert.Contains("pod network: Host (Gateway:PodNetwork)", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two replicas Ready, each answering through the gateway with its own name on port 80 (the
    /// servers say <c>hello from $POD_NAME on $PORT</c>), each with a pod IP of its own and no host port.
    /// </summary>
    internal static async Task<IList<V1Pod>> AssertBothAnswerOnPort80Async(GatewayProcess gateway, TimeSpan timeout)
    {
        var pods = await gateway.WaitForPodsAsync(p => p.Count == 2 && p.All(AllReady), "both replicas Ready", timeout);
        var answers = new HashSet<string>(StringComparer.Ordinal);
        await Poll.UntilAsync(async () =>
        {
            answers.Add((await gateway.Proxy.GetStringAsync("/")).Trim());
            return answers.Count == 2;
        }, "both replicas answering through the gateway");

        Assert.Equal(pods.Select(p => $"hello from {p.Metadata.Name} on 80").Order(), answers.Order());
        Assert.All(pods, p => Assert.True(PodNetworks.IsPodIp(p.Status.PodIP), p.Status.PodIP));
        Assert.All(pods, p => Assert.Null(p.Spec.Containers[0].Ports[0].HostPort));
        return pods;
    }

    private static int FreePort()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>A real namespace (root and util-linux): a server inside it is reached through the pod IP, and is not on the host's loopback.</summary>
    [SkippableFact]
    public async Task ConnectAsync_ToAPodIp_ReachesAServerInsideThePodsNamespaceOnly()
    {
        SkipUnlessNamespaces();
        var state = Directory.CreateTempSubdirectory("gateway-netns-").FullName;
        var problem = NetworkNamespaceFiles.Problem(state);
        Skip.If(problem is not null, problem);

        var files = NetworkNamespaceFiles.For(state);
        var path = files.PathOf("pod-a");
        files.Create(path);
        var networks = new PodNetworks(PodNetworkMode.Pod);
        var podIp = networks.AllocateIp();
        try
        {
            var inside = await networks.JoinAsync("pod-a", podIp, () => Task.FromResult(path));
            using var listener = await inside.CreateSocketAsync(AddressFamily.InterNetwork);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

            using (var client = await networks.ConnectAsync(podIp, port, _ => { }, CancellationToken.None))
            using (var accepted = await listener.AcceptAsync())
            {
                await client.SendAsync("ping"u8.ToArray());
                var buffer = new byte[4];
                Assert.Equal(4, await accepted.ReceiveAsync(buffer));
            }

            output.WriteLine(await ConnectCostAsync(networks, podIp, listener));
            using var onHost = new Socket(SocketType.Stream, ProtocolType.Tcp);
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await onHost.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

            // Once the pod is gone its IP is no namespace's: a connect is the host's again, where nothing listens on that port.
            networks.Release("pod-a", podIp);
            Assert.Null(networks.Find(IPAddress.Parse(podIp)));
        }
        finally
        {
            networks.Release("pod-a", podIp);
            NetworkNamespaceFiles.Remove(path);
        }

        Assert.False(File.Exists(path));
    }

    /// <summary>What a connect costs through the pod's namespace (socket made on its thread) and on the host, in alternating rounds on two listeners.</summary>
    private static async Task<string> ConnectCostAsync(PodNetworks networks, string podIp, Socket listener)
    {
        const int Rounds = 8, Connects = 250;
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var hostListener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        hostListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        hostListener.Listen(Connects);
        var hostPort = ((IPEndPoint)hostListener.LocalEndPoint!).Port;
        static void Linger(Socket s) => s.LingerState = new LingerOption(true, 0);
        async Task<TimeSpan> TimeAsync(string host, int to, Socket server)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Connects; i++)
            {
                using var client = await networks.ConnectAsync(host, to, Linger, CancellationToken.None);
                using var accepted = await server.AcceptAsync();
            }

            return clock.Elapsed;
        }

        await TimeAsync("127.0.0.1", hostPort, hostListener); // warm-up
        await TimeAsync(podIp, port, listener);
        TimeSpan plain = default, inPod = default;
        for (var round = 0; round < Rounds; round++)
        {
            plain += await TimeAsync("127.0.0.1", hostPort, hostListener);
            inPod += await TimeAsync(podIp, port, listener);
        }

        return $"connect + accept, {Rounds * Connects} each: host {plain.TotalMicroseconds / (Rounds * Connects):0.0} us, pod namespace {inPod.TotalMicroseconds / (Rounds * Connects):0.0} us";
    }
}
