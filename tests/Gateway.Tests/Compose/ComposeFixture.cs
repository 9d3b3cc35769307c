using System.Text.Json.Nodes;
using Gateway.Compose;
using Gateway.Specs;

namespace Gateway.Tests.Compose;

/// <summary>A compose file in a temporary folder, translated with a fixed environment.</summary>
internal sealed class ComposeFixture : IDisposable
{
    public static readonly Dictionary<string, string> Environment = new() { ["TAG"] = "1.2", ["SECRET"] = "s3cret", ["EMPTY"] = "" };

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("gateway-compose-").FullName;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

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
