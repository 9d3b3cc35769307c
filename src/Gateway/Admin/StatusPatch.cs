using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Specs;
using Cause = Gateway.Admin.KubernetesStatus.Cause;

namespace Gateway.Admin;

/// <summary>
/// The body of <c>PATCH .../pods/{name}/status</c> (a JSON merge patch of <c>status.conditions</c>),
/// checked field by field: only conditions that the pod's <c>readinessGates</c> name may be set, to
/// <c>True</c> or <c>False</c>. Anything else is a field error in the API server's words, so a patch
/// can neither fail with a 500 nor grow a pod's conditions beyond its declared gates.
/// </summary>
internal static class StatusPatch
{
    /// <summary>At most this many field errors are listed: a 1 MiB body could otherwise make a 10 MiB answer.</summary>
    public const int MaxCauses = 10;

    private const int MaxValueShown = 64;

    /// <summary>The conditions to set; the errors in <paramref name="causes"/> when there are any (then nothing is set).</summary>
    public static IReadOnlyDictionary<string, bool> Conditions(JsonObject body, IReadOnlyCollection<string> gates, out IReadOnlyList<Cause> causes)
    {
        var found = new List<Cause>();
        var conditions = new Dictionary<string, bool>(StringComparer.Ordinal);
        causes = found;
        if (Member(body, "status", JsonValueKind.Object, "status", found) is not JsonObject status
            || Member(status, "conditions", JsonValueKind.Array, "status.conditions", found) is not JsonArray list)
        {
            return conditions;
        }

        for (var i = 0; i < list.Count && found.Count < MaxCauses; i++)
        {
            var path = $"status.conditions[{i}]";
            if (list[i] is not JsonObject condition)
            {
                found.Add(TypeInvalid(path, list[i], "object"));
                continue;
            }

            var type = Required(condition, "type", path, found);
            var value = Required(condition, "status", path, found);
            if (type is not null && !gates.Contains(type))
            {
                var supported = gates.Count == 0 ? "none: the pod's spec.readinessGates is empty" : "supported values: " + string.Join(", ", gates.Order(StringComparer.Ordinal).Select(Quote));
                found.Add(new Cause("FieldValueNotSupported", $"{path}.type", $"Unsupported value: {Quote(type)}: {supported}"));
            }

            if (value is not null and not ("True" or "False"))
            {
                found.Add(new Cause("FieldValueNotSupported", $"{path}.status", $"Unsupported value: {Quote(value)}: supported values: \"False\", \"True\""));
            }

            if (type is not null && value is "True" or "False")
            {
                conditions[type] = value == "True";
            }
        }

        if (found.Count > MaxCauses)
        {
            found.RemoveRange(MaxCauses, found.Count - MaxCauses);
        }

        return found.Count == 0 ? conditions : new Dictionary<string, bool>();
    }

    /// <summary>An optional member of the wanted kind: null when absent or null, and a cause when of another kind.</summary>
    private static JsonNode? Member(JsonObject parent, string name, JsonValueKind kind, string path, List<Cause> causes)
    {
        var node = parent[name];
        if (node is null || node.GetValueKind() == kind)
        {
            return node;
        }

        causes.Add(TypeInvalid(path, node, kind == JsonValueKind.Object ? "object" : "array"));
        return null;
    }

    /// <summary>A required string member of a condition; null with a cause when it is absent or not a string.</summary>
    private static string? Required(JsonObject condition, string name, string path, List<Cause> causes)
    {
        var node = condition[name];
        if (node is null)
        {
            causes.Add(new Cause("FieldValueRequired", $"{path}.{name}", "Required value"));
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            causes.Add(TypeInvalid($"{path}.{name}", node, "string"));
            return null;
        }

        return node.GetValue<string>();
    }

    private static Cause TypeInvalid(string path, JsonNode? node, string type) =>
        new("FieldValueTypeInvalid", path, $"Invalid value: {Shown(node?.ToJsonString() ?? "null")}: must be of type {type}");

    private static string Quote(string value) => GoSyntax.Quote(Shown(value));

    private static string Shown(string text) => text.Length <= MaxValueShown ? text : text[..MaxValueShown] + "...(truncated)";
}
