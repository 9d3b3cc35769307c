using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.IntegrationTests.Hosting;

/// <summary>
/// Random edits of a valid settings file or manifest, from a seeded <see cref="Random"/>: numbers at
/// the limits and beyond, wrong types, deleted and duplicated keys, truncation, random bytes.
/// </summary>
internal static partial class Mutations
{
    private static readonly string[] Limits = ["0", "-1", "2147483647", "2147483648", "9223372036854775807", "99999999999", "1e20", "-1e20", "2.7", "1e-9"];
    private static readonly string[] WrongTypes = ["\"x\"", "true", "[]", "{}", "null", "[1, 2]", "{ \"a\": 1 }"];
    private static readonly string[] WrongYamlTypes = ["[x]", "{}", "\"x\"", "true", "~", "[1, 2", "{a: 1"];

    /// <summary>A mutation of the settings text; <c>What</c> says which, for the failure message.</summary>
    public static (byte[] Bytes, string What) Settings(string text, Random rng)
    {
        switch (rng.Next(6))
        {
            case 0:
            case 1:
                var root = JsonNode.Parse(text)!;
                var nodes = Walk(root["Gateway"]!, "Gateway").ToList();
                var (node, path) = nodes[rng.Next(nodes.Count)];
                var (parent, key) = (node.Parent!, path[(path.LastIndexOf(':') + 1)..]);
                var value = rng.Next(2) == 0 ? Limit(rng, key) : WrongTypes[rng.Next(WrongTypes.Length)];
                Replace(parent, key, JsonNode.Parse(value));
                return (Encoding.UTF8.GetBytes(root.ToJsonString()), $"{path} = {value}");
            case 2:
                var tree = JsonNode.Parse(text)!;
                var members = Walk(tree["Gateway"]!, "Gateway").Where(n => n.Node.Parent is JsonObject).ToList();
                var (member, memberPath) = members[rng.Next(members.Count)];
                ((JsonObject)member.Parent!).Remove(memberPath[(memberPath.LastIndexOf(':') + 1)..]);
                return (Encoding.UTF8.GetBytes(tree.ToJsonString()), $"delete {memberPath}");
            case 3:
                var keys = JsonKey().Matches(text);
                var at = keys[rng.Next(keys.Count)];
                return (Encoding.UTF8.GetBytes(text.Insert(at.Index, $"{at.Value} null, ")), $"duplicate {at.Value}");
            default:
                return Bytes(text, rng);
        }
    }

    /// <summary>A mutation of the manifest's YAML text.</summary>
    public static (byte[] Bytes, string What) Manifest(string text, Random rng)
    {
        var lines = text.Split('\n').ToList();
        switch (rng.Next(6))
        {
            case 0:
                var numbers = lines.Select((l, i) => (l, i)).Where(x => YamlNumber().IsMatch(x.l)).ToList();
                var (line, index) = numbers[rng.Next(numbers.Count)];
                lines[index] = YamlNumber().Replace(line, Limit(rng, line));
                return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"line {index + 1}: {lines[index].Trim()}");
            case 1:
                var values = lines.Select((l, i) => (l, i)).Where(x => YamlValue().IsMatch(x.l)).ToList();
                var (valueLine, valueIndex) = values[rng.Next(values.Count)];
                lines[valueIndex] = YamlValue().Replace(valueLine, "$1" + WrongYamlTypes[rng.Next(WrongYamlTypes.Length)]);
                return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"line {valueIndex + 1}: {lines[valueIndex].Trim()}");
            case 2:
                var deleted = rng.Next(lines.Count);
                var gone = lines[deleted];
                lines.RemoveAt(deleted);
                return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"delete line {deleted + 1}: {gone.Trim()}");
            case 3:
                var duplicated = rng.Next(lines.Count);
                lines.Insert(duplicated, lines[duplicated]);
                return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"duplicate line {duplicated + 1}: {lines[duplicated].Trim()}");
            default:
                return Bytes(text, rng);
        }
    }

    /// <summary>Truncation, or a few bytes replaced at random.</summary>
    private static (byte[] Bytes, string What) Bytes(string text, Random rng)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (rng.Next(2) == 0)
        {
            var length = rng.Next(bytes.Length);
            return (bytes[..length], $"truncated to {length} bytes");
        }

        var changed = new List<string>();
        for (var i = rng.Next(1, 5); i > 0; i--)
        {
            var at = rng.Next(bytes.Length);
            bytes[at] = (byte)rng.Next(256);
            changed.Add($"{at}=0x{bytes[at]:x2}");
        }

        return (bytes, $"bytes {string.Join(", ", changed)}");
    }

    /// <summary>
    /// A number at the limits. Never int32's maximum for a replica count: it is valid, and would start
    /// MaxPods pods, too slow for a fuzz run (MaxPodsTests covers it).
    /// </summary>
    private static string Limit(Random rng, string key)
    {
        var limit = Limits[rng.Next(Limits.Length)];
        return limit == "2147483647" && key.Contains("eplicas", StringComparison.Ordinal) ? "-1" : limit;
    }

    private static void Replace(JsonNode parent, string key, JsonNode? value)
    {
        if (parent is JsonArray array)
        {
            array[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent[key] = value;
        }
    }

    /// <summary>Every node below <paramref name="node"/> with its configuration path.</summary>
    private static IEnumerable<(JsonNode Node, string Path)> Walk(JsonNode node, string path)
    {
        IEnumerable<(string Key, JsonNode? Child)> children = node switch
        {
            JsonObject o => o.Select(p => (p.Key, p.Value)),
            JsonArray a => a.Select((c, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), c)),
            _ => [],
        };
        foreach (var (key, child) in children.ToList())
        {
            if (child is null)
            {
                continue;
            }

            var childPath = $"{path}:{key}";
            yield return (child, childPath);
            foreach (var below in Walk(child, childPath))
            {
                yield return below;
            }
        }
    }

    [GeneratedRegex("\"[A-Za-z]+\":")]
    private static partial Regex JsonKey();

    [GeneratedRegex(@"(?<=: )\d+\s*$")]
    private static partial Regex YamlNumber();

    [GeneratedRegex(@"^(\s*-?\s*[A-Za-z]+: )\S.*$")]
    private static partial Regex YamlValue();
}
