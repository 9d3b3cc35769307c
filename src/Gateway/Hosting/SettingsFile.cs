namespace Gateway.Hosting;

/// <summary>
/// Finds the settings file: <c>--config FILE</c>, else <c>config/appsettings.json</c> under the
/// current folder, else beside the executable (the container image's layout).
/// </summary>
internal static class SettingsFile
{
    public static string Locate(string[] args, out string[] remainingArgs)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new List<string>(args.Length);
        string? explicitPath = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                explicitPath = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                explicitPath = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        remainingArgs = [.. rest];
        if (explicitPath is not null)
        {
            return Path.GetFullPath(explicitPath);
        }

        var local = Path.GetFullPath(Path.Combine("config", "appsettings.json"));
        return File.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json");
    }
}
