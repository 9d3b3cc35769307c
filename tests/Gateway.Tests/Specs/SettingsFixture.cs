using Gateway.Specs;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Specs;

/// <summary>
/// A settings file and its manifests in a temporary folder, loaded as the program loads them (a
/// real JSON file, so numbers arrive as the JSON provider hands them over).
/// </summary>
internal sealed class SettingsFixture : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("gateway-settings-").FullName;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The repository's root folder, found upward from the test binaries.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }

    public GatewaySpec Load(string settingsJson, out IReadOnlyList<string> errors)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Write("appsettings.json", settingsJson), optional: false, reloadOnChange: false).Build();
        return GatewaySpecLoader.Load(configuration, Directory, out errors);
    }
}
