using System.Text;
using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// A service entry that names a compose file, <c>"shop": { "Compose": "compose.yaml", "Runtime": "Process" }</c>:
/// it stands for the file's services, named <c>shop-web</c>, <c>shop-db</c> (compose's own
/// <c>{project}-{service}</c>), each read as if its translation (what <c>gateway convert</c> prints)
/// were written in the settings; the compose file, its <c>.env</c> and <c>env_file</c>s are watched
/// and a change reloads them as a changed manifest does.
/// </summary>
internal static class ComposeServices
{
    /// <summary>The keys of a compose entry.</summary>
    public static readonly string[] Keys = ["Compose", "Runtime"];

    /// <summary>Whether <paramref name="service"/> is a compose entry rather than one service.</summary>
    public static bool IsEntry(SettingsSection service) => service.Has("Compose");

    /// <summary>The services of the compose file <paramref name="entry"/> names, each read by <paramref name="load"/>; none when the file has errors (they say why).</summary>
    /// <param name="taken">The names of the other entries: a translated service may not take one.</param>
    public static List<ServiceSpec> Load(SettingsSection entry, string configDirectory, IReadOnlySet<string> taken, Func<SettingsSection, ServiceSpec?> load)
    {
        var errors = entry.Errors;
        var before = errors.Count;
        entry.RefuseUnknownKeys(Keys);
        var runtime = entry.Scalar("Runtime") switch
        {
            null or "" => RuntimeKind.Process,
            var text when text.Equals("Process", StringComparison.OrdinalIgnoreCase) => RuntimeKind.Process,
            var text when text.Equals("Docker", StringComparison.OrdinalIgnoreCase) => RuntimeKind.Docker,
            var text => Refuse(entry, text),
        };
        var file = entry.FilePath("Compose", configDirectory);
        if (file is null)
        {
            errors.Add(FieldError.Required(entry.PathOf("Compose"), "the path of a compose.yaml or process-compose.yaml, relative to the settings file"));
            return [];
        }

        if (errors.Count != before)
        {
            return [];
        }

        var setting = $"{entry.PathOf("Compose")}({entry.Scalar("Compose")})";
        if (ComposeFile.Translate(file, setting, setting, ComposeOptions.For(runtime, entry.Key), errors) is not { } translation)
        {
            return [];
        }

        var services = new List<ServiceSpec>();
        var configuration = Configuration(translation.Services);
        foreach (var child in configuration.GetSection("Services").GetChildren())
        {
            if (taken.Contains(child.Key))
            {
                errors.Add(FieldError.Duplicate(setting, child.Key, "another entry of Gateway:Services has this name; rename one of them"));
                continue;
            }

            if (load(new SettingsSection(child, $"{setting}:{child.Key}", errors)) is { } service)
            {
                services.Add(service with { SourceFiles = [.. translation.Files, .. service.SourceFiles] });
            }
        }

        return services;
    }

    /// <summary>The translated services as the configuration a settings file of them gives.</summary>
    public static IConfiguration Configuration(IEnumerable<TranslatedService> services)
    {
        var json = new JsonObject { ["Services"] = Settings(services) };
        return new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString()))).Build();
    }

    /// <summary>The <c>Gateway:Services</c> object of the translated services.</summary>
    public static JsonObject Settings(IEnumerable<TranslatedService> services)
    {
        var result = new JsonObject();
        foreach (var service in services)
        {
            result[service.Name] = service.Settings;
        }

        return result;
    }

    private static RuntimeKind Refuse(SettingsSection entry, string text)
    {
        entry.Errors.Add(FieldError.NotSupported(entry.PathOf("Runtime"), text, ["Process", "Docker"]));
        return RuntimeKind.Process;
    }
}
