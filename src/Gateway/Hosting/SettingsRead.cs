using Gateway.Specs;

namespace Gateway.Hosting;

/// <summary>What one reading of the settings gave: a valid spec and the configuration it came from, or the errors.</summary>
internal sealed record SettingsRead
{
    /// <summary>The validated spec; null when there are errors.</summary>
    public GatewaySpec? Spec { get; private init; }

    /// <summary>The configuration the spec was read from (also logging and runtime options); null when there are errors.</summary>
    public IConfiguration? Configuration { get; private init; }

    /// <summary>Every error, each naming its field (or the file, line and position); empty when valid.</summary>
    public IReadOnlyList<string> Errors { get; private init; } = [];

    /// <summary>What start-up prints on standard error when the settings are not usable.</summary>
    public string Summary { get; private init; } = "";

    public static SettingsRead Valid(GatewaySpec spec, IConfiguration configuration) => new() { Spec = spec, Configuration = configuration };

    /// <summary>The file could not be read or parsed: one error, <paramref name="error"/>.</summary>
    public static SettingsRead Unreadable(string error) => new() { Errors = [error], Summary = $"gateway: {error}" };

    public static SettingsRead Invalid(string settingsPath, IReadOnlyList<string> errors) => new()
    {
        Errors = errors,
        Summary = $"gateway: the configuration in {settingsPath} is not valid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):"
            + string.Concat(errors.Select(e => $"{Environment.NewLine}  {e}")),
    };
}
