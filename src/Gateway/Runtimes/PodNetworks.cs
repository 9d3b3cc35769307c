using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>
/// The gateway's pod networks (<c>Gateway:PodNetwork</c>): in <see cref="PodNetworkMode.Pod"/> mode
/// each pod of a runtime that makes namespaces (<see cref="IPodNetworkRuntime"/>) gets a pod IP of
/// the gateway's own in <c>127.1.0.0/16</c> and a network namespace with only its loopback up; its
/// ports are its containerPorts. A connection to <c>podIP:port</c> (a proxied request, a probe) is a
/// socket made inside that namespace (<see cref="PodNetworkNamespace"/>) connected to
/// <c>127.0.0.1:port</c> there. The pod IP is on every namespace's loopback too (all of 127/8 is), so
/// an app that binds or calls <c>$POD_IP</c> reaches itself.
/// </summary>
/// <remarks>
/// One instance per gateway, <see cref="Shared"/>, as the forwarder's and the probes' handlers are made
/// without the container (the same pattern as <c>ProcessWatcher.Shared</c>).
/// </remarks>
internal sealed class PodNetworks
{
    private const int FirstIp = (127 << 24) | (1 << 16);
    private const int IpCount = 1 << 16;

    private readonly Lock _lock = new();
    private readonly HashSet<int> _ipsInUse = [];
    private readonly ConcurrentDictionary<string, Lazy<Task<PodNetworkNamespace>>> _byPod = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, PodNetworkNamespace> _byIp = new();
    private int _nextIp = 1;

    public PodNetworks(PodNetworkMode mode) => Mode = mode;

    /// <summary>This gateway's; host mode until the gateway has decided (and in unit tests).</summary>
    public static PodNetworks Shared { get; set; } = new(PodNetworkMode.Host);

    public PodNetworkMode Mode { get; }

    /// <summary>
    /// Decides this gateway's mode from <c>Gateway:PodNetwork</c> (<paramref name="setting"/>) and what
    /// the host allows (tried in <paramref name="stateDirectory"/>), says it in the log, and makes it
    /// <see cref="Shared"/>. Throws when <c>Pod</c> was asked for and the host cannot give it.
    /// </summary>
    public static PodNetworks Start(string? setting, string stateDirectory, ILogger logger)
    {
        var problem = string.Equals(setting, PodNetworkSetting.Host, StringComparison.OrdinalIgnoreCase) ? null : Process.NetworkNamespaceFiles.Problem(stateDirectory);
        var (mode, said, error) = PodNetworkSetting.Decide(setting, problem);
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        if (problem is null)
        {
            logger.LogInformation("{PodNetwork}", said);
        }
        else
        {
            logger.LogWarning("{PodNetwork}", said);
        }

        return Shared = new PodNetworks(mode);
    }

    /// <summary>Whether pods of <paramref name="runtime"/> get a namespace of their own.</summary>
    public bool Isolates(RuntimeKind runtime, ContainerRuntimes runtimes) =>
        Mode == PodNetworkMode.Pod && runtimes.Find(runtime) is IPodNetworkRuntime;

    /// <summary>Whether <paramref name="podIp"/> is one this gateway gives (127.1.0.0/16), i.e. the pod has a namespace of its own.</summary>
    public static bool IsPodIp(string podIp) =>
        IPAddress.TryParse(podIp, out var address) && Key(address) is int key && (key & ~(IpCount - 1)) == FirstIp;

    /// <summary>A pod IP no live pod has.</summary>
    public string AllocateIp()
    {
        lock (_lock)
        {
            for (var tried = 0; tried < IpCount; tried++)
            {
                var host = _nextIp;
                _nextIp = _nextIp % (IpCount - 2) + 1;
                if (_ipsInUse.Add(host))
                {
                    return new IPAddress(BitConverter.GetBytes(IPAddress.HostToNetworkOrder(FirstIp | host))).ToString();
                }
            }
        }

        throw new InvalidOperationException("every pod IP in 127.1.0.0/16 is in use");
    }

    /// <summary>The ports of a pod in its own namespace: each containerPort as it is declared.</summary>
    public static ImmutableDictionary<string, ImmutableArray<PortMapping>> ContainerPorts(k8s.Models.V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Containers.Concat(spec.InitContainers ?? []).ToImmutableDictionary(
            c => c.Name, c => ImmutableArray.CreateRange((c.Ports ?? []).Select(p => new PortMapping(p.Name, p.ContainerPort, p.ContainerPort))), StringComparer.Ordinal);
    }

    /// <summary>
    /// The namespace of pod <paramref name="podUid"/> (at <paramref name="podIp"/>): made by
    /// <paramref name="create"/> (which returns the file that names it) for its first container,
    /// the same one for the others. Throws <see cref="ContainerStartException"/> when it cannot be.
    /// </summary>
    public async Task<PodNetworkNamespace> JoinAsync(string podUid, string podIp, Func<Task<string>> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var lazy = _byPod.GetOrAdd(podUid, _ => new Lazy<Task<PodNetworkNamespace>>(async () =>
        {
            var opened = PodNetworkNamespace.Open(await create());
            _byIp[Key(IPAddress.Parse(podIp))!.Value] = opened;
            return opened;
        }));
        try
        {
            return await lazy.Value;
        }
        catch
        {
            _byPod.TryRemove(new KeyValuePair<string, Lazy<Task<PodNetworkNamespace>>>(podUid, lazy));
            throw;
        }
    }

    /// <summary>A pod is gone: its namespace is closed here (its runtime removes it) and its IP is free.</summary>
    public void Release(string podUid, string podIp)
    {
        if (_byPod.TryRemove(podUid, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            lazy.Value.Result.Dispose();
        }

        if (IPAddress.TryParse(podIp, out var address) && Key(address) is int key && IsPodIp(podIp))
        {
            _byIp.TryRemove(key, out _);
            lock (_lock)
            {
                _ipsInUse.Remove(key & (IpCount - 1));
            }
        }
    }

    /// <summary>The open namespace of the pod at <paramref name="address"/>, or null (not a pod IP, or the pod's first container has not started).</summary>
    public PodNetworkNamespace? Find(IPAddress address) => Key(address) is int key ? _byIp.GetValueOrDefault(key) : null;

    /// <summary>
    /// A TCP connection to <paramref name="host"/>:<paramref name="port"/>: for a pod IP, a socket made
    /// in the pod's namespace and connected to its loopback; else one on the host's network (an
    /// address literal connected to as it is, a name resolved: a Static backend's 127.1.x.x too, when
    /// no pod has that IP). <paramref name="configure"/> sets the socket's options before the connect.
    /// </summary>
    public async ValueTask<Socket> ConnectAsync(string host, int port, Action<Socket> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Socket socket;
        EndPoint target;
        if (IPAddress.TryParse(host, out var address))
        {
            if (Find(address) is { } inPod)
            {
                socket = await inPod.CreateSocketAsync(AddressFamily.InterNetwork);
                target = new IPEndPoint(IPAddress.Loopback, port);
            }
            else
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                target = new IPEndPoint(address, port);
            }
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            target = new DnsEndPoint(host, port);
        }

        try
        {
            configure(socket);
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> through <see cref="Shared"/>: a pod IP's
    /// connection is made in the pod's namespace; any other is what the handler makes by itself
    /// (no delay, the host's network). The handler pools connections per host and port, so per pod.
    /// </summary>
    public static async ValueTask<Stream> ConnectCallback(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var socket = await Shared.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, static s => s.NoDelay = true, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static int? Key(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? IPAddress.NetworkToHostOrder(BitConverter.ToInt32(address.GetAddressBytes())) : null;
}

/// <summary>A runtime that gives a pod a network namespace of its own (Pod mode, see <see cref="PodNetworks"/>).</summary>
internal interface IPodNetworkRuntime
{
    /// <summary>Makes the namespace of <paramref name="launch"/>'s pod, once, before its first container; returns the file that names it (a bind mount, or <c>/proc/PID/ns/net</c>).</summary>
    Task<string> CreatePodNetworkAsync(ContainerLaunch launch, CancellationToken cancellationToken);

    /// <summary>The pod is gone: removes its namespace (a file, a sandbox).</summary>
    Task RemovePodNetworkAsync(string podUid);
}
