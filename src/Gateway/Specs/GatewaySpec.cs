namespace Gateway.Specs;

/// <summary>The whole validated configuration: listeners and services.</summary>
public sealed record GatewaySpec(string ProxyUrls, string AdminUrls, IReadOnlyList<ServiceSpec> Services)
{
    /// <summary>The kubelet's default <c>maxPods</c>.</summary>
    public const int DefaultMaxPods = 110;

    /// <summary>The largest <c>Gateway:MaxPods</c>: each pod is at least one process or container.</summary>
    public const int MaxPodsLimit = 10_000;

    /// <summary>The default of <c>Gateway:TerminatedPodHistory</c>.</summary>
    public const int DefaultTerminatedPodHistory = 5;

    /// <summary>The largest <c>Gateway:TerminatedPodHistory</c>: each kept pod keeps its logs and host ports.</summary>
    public const int TerminatedPodHistoryLimit = 100;

    /// <summary>
    /// <c>Gateway:TerminatedPodHistory</c>: how many ended (Succeeded or Failed) pods of each replicated
    /// service stay listed, with their status and logs, the newest first (the terminated-pod GC's threshold, per service).
    /// </summary>
    public int TerminatedPodHistory { get; init; } = DefaultTerminatedPodHistory;

    /// <summary><c>Gateway:Kubernetes:Kubeconfig</c>: the kubeconfig file for Kubernetes services; null for in-cluster, <c>KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary><c>Gateway:MaxPods</c>: the pods of all services together, as a node's <c>maxPods</c>; pods beyond it stay Pending.</summary>
    public int MaxPods { get; init; } = DefaultMaxPods;

    /// <summary><c>Gateway:StateDirectory</c>: the gateway's own folder (admin token, kubeconfig fallback, pod records).</summary>
    public string StateDirectory { get; init; } = StateDirectories.Default();

    /// <summary><c>Gateway:Logs</c>: how each container instance's log file is bounded and rotated.</summary>
    public ContainerLogSettings Logs { get; init; } = ContainerLogSettings.Default;

    /// <summary>Who may reach the admin listener.</summary>
    public AdminAccessSpec AdminAccess { get; init; } = AdminAccessSpec.Default;

    /// <summary><c>Gateway:Process:InheritEnvironment</c>: whether Process containers see the gateway's own environment (off: only the spec's env and a small base).</summary>
    public bool InheritEnvironment { get; init; }

    /// <summary>
    /// <c>Gateway:KeepPodsOnShutdown</c> (or the deprecated <c>Gateway:Docker:KeepContainersOnShutdown</c>):
    /// a SIGTERM drains the listeners and leaves every pod running, for the next gateway to adopt.
    /// </summary>
    public bool KeepPodsOnShutdown { get; init; }

    /// <summary>
    /// <c>Gateway:Process:PrivateTmp</c>: whether each Process container gets a fresh /tmp of its own
    /// where the host allows a mount namespace, as every Kubernetes container has (on by default;
    /// what its command line names under the host's /tmp stays visible, see <c>MountNamespace.NamedPaths</c>).
    /// </summary>
    public bool PrivateTmp { get; init; } = true;

    /// <summary><c>Gateway:PodNetwork</c>: <c>Auto</c> (null: the default), <c>Pod</c> or <c>Host</c>; read once, at start (see <see cref="PodNetworkSetting"/>).</summary>
    public string? PodNetwork { get; init; }

    /// <summary><c>Gateway:AccessLog</c>: one JSON line per proxied request, to <see cref="AccessLogToStandardOutput"/> or a file (relative to the settings file); null: off.</summary>
    public string? AccessLog { get; init; }

    /// <summary><c>Gateway:Proxy:Limits</c>: the proxy listener's request size limits (read at start).</summary>
    public ProxyLimitsSpec ProxyLimits { get; init; } = ProxyLimitsSpec.Default;

    /// <summary>The proxy listener's TLS certificates (<c>Gateway:Proxy:Certificate(s)</c>), loaded and checked; null without TLS.</summary>
    internal ProxyCertificateSet? ProxyCertificates { get; init; }

    /// <summary><c>Gateway:Routes</c>: HTTPRoutes of their own, read from files, sending to the services their backendRefs name.</summary>
    public IReadOnlyList<HttpRouteSpec> Routes { get; init; } = [];

    /// <summary>The <c>Gateway:AccessLog</c> value that writes the access log to standard output.</summary>
    public const string AccessLogToStandardOutput = "stdout";
}
