namespace Gateway.Hosting;

/// <summary>
/// Finds the settings file: <c>--config FILE</c>, else <c>config/appsettings.json</c> in the current
/// folder or the nearest folder above it, else beside the executable (the container image's layout).
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

        // `dotnet run --project src/Gateway` runs in the project's folder: look upward for config/.
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "appsettings.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json");
    }
}
