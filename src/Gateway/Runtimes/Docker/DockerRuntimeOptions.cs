namespace Gateway.Runtimes.Docker;

/// <summary>The <c>Gateway:Docker</c> settings.</summary>
/// <param name="Endpoint">The engine: <c>Gateway:Docker:Endpoint</c>, else <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>.</param>
/// <param name="KeepContainersOnShutdown">Leave the containers running when the gateway stops, for the next gateway to adopt.</param>
public sealed record DockerRuntimeOptions(Uri Endpoint, bool KeepContainersOnShutdown)
{
    /// <summary>Where the pods' volumes are made: <c>volumes</c> in the gateway's state folder (<c>Gateway:StateDirectory</c>).</summary>
    public string VolumesDirectory { get; init; } = Path.Combine(Specs.StateDirectories.Default(), "volumes");

    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    public static DockerRuntimeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Gateway:Docker");
        var endpoint = section["Endpoint"] is { Length: > 0 } configured ? configured
            : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host
            : DefaultEndpoint;
        var state = configuration["Gateway:StateDirectory"] is { Length: > 0 } configuredState ? Path.GetFullPath(configuredState) : Specs.StateDirectories.Default();
        return new DockerRuntimeOptions(new Uri(endpoint), section.GetValue("KeepContainersOnShutdown", false)) { VolumesDirectory = Path.Combine(state, "volumes") };
    }
}
