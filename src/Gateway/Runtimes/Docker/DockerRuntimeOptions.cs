namespace Gateway.Runtimes.Docker;

/// <summary>The <c>Gateway:Docker</c> settings.</summary>
/// <param name="Endpoint">The engine: <c>Gateway:Docker:Endpoint</c>, else <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>.</param>
/// <param name="KeepContainersOnShutdown">Leave the containers running when the gateway stops, for the next gateway to adopt.</param>
public sealed record DockerRuntimeOptions(Uri Endpoint, bool KeepContainersOnShutdown)
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    public static DockerRuntimeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Gateway:Docker");
        var endpoint = section["Endpoint"] is { Length: > 0 } configured ? configured
            : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host
            : DefaultEndpoint;
        return new DockerRuntimeOptions(new Uri(endpoint), section.GetValue("KeepContainersOnShutdown", false));
    }
}
