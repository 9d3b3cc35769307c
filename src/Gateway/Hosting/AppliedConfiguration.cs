namespace Gateway.Hosting;

/// <summary>
/// The configuration the running gateway reads (log levels, runtime and telemetry options): a copy of
/// the last settings that validated whole. A refused file changes nothing here, not even a log level.
/// </summary>
internal sealed class AppliedConfiguration : ConfigurationProvider, IConfigurationSource
{
    public AppliedConfiguration(IConfiguration initial) => Data = Copy(initial);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Replaces everything with <paramref name="configuration"/> and tells the readers (options monitors, logging).</summary>
    public void Apply(IConfiguration configuration)
    {
        Data = Copy(configuration);
        OnReload();
    }

    private static Dictionary<string, string?> Copy(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
