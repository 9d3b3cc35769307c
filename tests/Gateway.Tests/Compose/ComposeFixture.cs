using System.Text.Json.Nodes;
using Gateway.Compose;
using Gateway.Specs;
using Gateway.Tests.Specs;

namespace Gateway.Tests.Compose;

/// <summary>A compose file in a temporary folder, translated with a fixed environment.</summary>
internal sealed class ComposeFixture : IDisposable
{
    public static readonly Dictionary<string, string> Environment = new() { ["TAG"] = "1.2", ["SECRET"] = "s3cret", ["EMPTY"] = "" };

    private readonly SettingsFixture _folder = new();

    public string Directory => _folder.Directory;

    public void Dispose() => _folder.Dispose();

    public string Write(string name, string text) => _folder.Write(name, text);

    /// <summary>The translated <c>Gateway:Services</c> object, or null; and the errors as printed.</summary>
    public (JsonObject? Services, List<string> Errors, List<string> Files) Translate(string yaml, RuntimeKind runtime = RuntimeKind.Process, string prefix = "", string file = "compose.yaml")
    {
        var path = Write(file, yaml);
        var errors = new List<FieldError>();
        var options = new ComposeOptions(runtime, prefix, name => Environment.GetValueOrDefault(name));
        var translation = ComposeFile.Translate(path, "", file, options, errors);
        return (translation is null ? null : ComposeServices.Settings(translation.Services), errors.ConvertAll(e => e.ToString()), translation?.Files ?? []);
    }

    /// <summary>The JSON at <paramref name="path"/> (<c>web.Template.spec.containers[0].args</c>) in compact form; null when absent.</summary>
    public static string? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            if (part.EndsWith(']'))
            {
                var open = part.IndexOf('[');
                index = int.Parse(part[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
                name = part[..open];
            }

            node = (node as JsonObject)?[name];
            if (index >= 0)
            {
                node = node is JsonArray array && index < array.Count ? array[index] : null;
            }
        }

        return node?.ToJsonString();
    }
}
