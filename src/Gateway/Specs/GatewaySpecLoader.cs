namespace Gateway.Specs;

/// <summary>
/// Reads <c>Gateway:*</c> from configuration into a <see cref="GatewaySpec"/>, collecting every error
/// with its field path, the way the API server words them. Nothing is started from a spec with errors,
/// and a spec without errors is safe to act on: every value is parsed and range-checked here.
/// </summary>
/// <remarks>
/// The readers behind it, one concern each: <see cref="GatewaySettingsLoader"/> (listeners, admin,
/// Kubernetes, Docker, Process, MaxPods, StateDirectory), <see cref="ServiceLoader"/> (route, runtime,
/// retries, slow start) and the backend it names (<see cref="PodsBackendLoader"/> with
/// <see cref="ManifestLoader"/>, <see cref="ClusterBackendLoader"/>, <see cref="StaticBackendLoader"/>),
/// all reading through <see cref="SettingsSection"/>. They collect <see cref="FieldError"/>s; the
/// errors become text here, once.
/// </remarks>
public static class GatewaySpecLoader
{
    public const string DefaultProxyUrls = "http://127.0.0.1:8080";
    public const string DefaultAdminUrls = "http://127.0.0.1:9090";

    /// <summary>
    /// The spec, with every problem in <paramref name="errors"/>. Never throws, whatever the
    /// configuration holds: a failure nobody foresaw is one error on the service it came from.
    /// </summary>
    public static GatewaySpec Load(IConfiguration configuration, string configDirectory, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configDirectory);
        var found = new List<FieldError>();
        var spec = LoadGateway(configuration, configDirectory, found);
        errors = found.ConvertAll(error => error.ToString());
        return spec;
    }

    private static GatewaySpec LoadGateway(IConfiguration configuration, string configDirectory, List<FieldError> errors)
    {
        try
        {
            var gateway = new SettingsSection(configuration.GetSection("Gateway"), "Gateway", errors);
            var settings = GatewaySettingsLoader.Load(gateway, configDirectory);
            var before = errors.Count;
            var routes = HttpRouteLoader.LoadGatewayRoutes(gateway, configDirectory);
            var complete = errors.Count == before;
            return settings with { Services = ServiceLoader.LoadAll(gateway, configDirectory, complete ? routes : null), Routes = routes };
        }
#pragma warning disable CA1031 // The promise to the host: an unforeseen failure is an error, not a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            errors.Add(FieldError.Internal("Gateway", e));
            return new GatewaySpec(DefaultProxyUrls, DefaultAdminUrls, []);
        }
    }
}
