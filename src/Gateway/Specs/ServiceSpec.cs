namespace Gateway.Specs;

/// <summary>
/// A validated service: a route, the settings of its traffic, and the <see cref="Backend"/> it
/// routes to.
/// </summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }

    public required RouteSpec Route { get; init; }

    /// <summary>Pods the gateway runs, a cluster's Service, or fixed addresses.</summary>
    public required BackendSpec Backend { get; init; }

    /// <summary>The backend when it is pods the gateway runs; null otherwise.</summary>
    public PodsBackend? Pods => Backend as PodsBackend;

    /// <summary>Retries of failed requests to another endpoint.</summary>
    public RetrySpec Retries { get; init; } = RetrySpec.Default;

    /// <summary>How long requests, attempts, idle responses and connections may take.</summary>
    public TimeoutsSpec Timeouts { get; init; } = TimeoutsSpec.Default;

    /// <summary>When a pod whose answers fail in a row is taken out of rotation, and for how long.</summary>
    public OutlierSpec Outlier { get; init; } = OutlierSpec.Default;

    /// <summary>How requests go to the pods: <c>Protocol</c>, or what the routed port's name says.</summary>
    public BackendProtocol Protocol { get; init; }

    /// <summary>How the pods' certificates are checked when <see cref="Protocol"/> is https.</summary>
    public BackendTlsSpec BackendTls { get; init; } = BackendTlsSpec.Default;

    /// <summary>An endpoint that just became ready gets a share of new requests growing over this window; zero is off.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary>The longest slow-start window, <c>SlowStartSeconds</c>: an hour.</summary>
    public const int MaxSlowStartSeconds = 3600;

    /// <summary>The files the service was read from (the manifest), watched for changes.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    /// <summary>The services this one waits for before its pods are created (<c>DependsOn</c>).</summary>
    public IReadOnlyList<DependencySpec> DependsOn { get; init; } = [];

    /// <summary>The folder of the settings file that declared the service.</summary>
    public required string ConfigDirectory { get; init; }
}
