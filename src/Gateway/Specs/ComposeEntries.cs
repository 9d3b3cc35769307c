namespace Gateway.Specs;

/// <summary>
/// Expands a <c>Gateway:Services</c> entry that names a compose file (<c>"Compose": "compose.yaml"</c>)
/// into the services it stands for. The translation lives in Gateway.Compose, above this layer; the
/// composition root hands it over before the first read (as <see cref="ProcessHost"/> is), and
/// until then an entry with <c>Compose</c> is an unknown key.
/// </summary>
internal static class ComposeEntries
{
    /// <param name="entry">The entry.</param>
    /// <param name="configDirectory">The settings file's folder.</param>
    /// <param name="taken">The names of the other entries.</param>
    /// <param name="load">Reads one translated service as a service of the settings.</param>
    public delegate List<ServiceSpec> Expander(SettingsSection entry, string configDirectory, IReadOnlySet<string> taken, Func<SettingsSection, ServiceSpec?> load);

    public static Expander? Expand { get; set; }
}
