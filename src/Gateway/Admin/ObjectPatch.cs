using System.Text.Json.Nodes;

namespace Gateway.Admin;

/// <summary>
/// The PATCH bodies kubectl sends, applied to an object's JSON: a JSON merge patch (RFC 7386), a
/// strategic merge patch (applied as a merge: the fields kubectl's commands patch are maps and
/// scalars) and a JSON patch (RFC 6902). No package for these is available to the project; this is
/// the part the admin API needs, with errors worded as the API server words them.
/// </summary>
internal static class ObjectPatch
{
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>Applies <paramref name="body"/> of <paramref name="contentType"/> to a copy of <paramref name="target"/>; null and an error when it cannot.</summary>
    public static JsonNode? Apply(JsonNode target, string? contentType, string body, out string? error)
    {
        ArgumentNullException.ThrowIfNull(target);
        error = null;
        var type = MediaType(contentType);
        if (!IsSupported(contentType))
        {
            error = Unsupported(contentType);
            return null;
        }

        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            error = $"error decoding patch: the body is not JSON: {e.Message}";
            return null;
        }

        switch (type)
        {
            case MergePatch or StrategicMergePatch:
                if (patch is not JsonObject)
                {
                    error = "error decoding patch: a merge patch must be a JSON object";
                    return null;
                }

                return Merge(target.DeepClone(), patch);
            default:
                if (patch is not JsonArray operations)
                {
                    error = "error decoding patch: a JSON patch must be an array of operations";
                    return null;
                }

                var result = target.DeepClone();
                foreach (var operation in operations)
                {
                    if (!ApplyOperation(ref result, operation, out error))
                    {
                        return null;
                    }
                }

                return result;
        }
    }

    public static bool IsSupported(string? contentType) => MediaType(contentType) is MergePatch or StrategicMergePatch or JsonPatch;

    /// <summary>The API server's 415 message for a patch type it does not take.</summary>
    public static string Unsupported(string? contentType) =>
        $"the body of the request was in an unknown format - accepted media types include: {JsonPatch}, {MergePatch}, {StrategicMergePatch} (got {MediaType(contentType) ?? "none"})";

    private static string? MediaType(string? contentType) => contentType?.Split(';')[0].Trim();

    /// <summary>RFC 7386: objects merge key by key, null deletes, anything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Merge(result[key], value);
                result.Remove(key);
                result[key] = merged;
            }
        }

        return result;
    }

    private static bool ApplyOperation(ref JsonNode? document, JsonNode? operation, out string? error)
    {
        error = null;
        var op = (string?)operation?["op"];
        var path = (string?)operation?["path"];
        if (op is null || path is null)
        {
            error = "error decoding patch: each operation needs \"op\" and \"path\"";
            return false;
        }

        var tokens = path.Length == 0 ? [] : path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        if (path.Length > 0 && path[0] != '/')
        {
            error = $"error decoding patch: the path {path} must begin with /";
            return false;
        }

        var value = operation!["value"]?.DeepClone();
        if (tokens.Length == 0)
        {
            if (op is "replace" or "add")
            {
                document = value;
                return true;
            }

            error = $"the JSON patch operation {op} on the whole object is not supported";
            return false;
        }

        var parent = document;
        foreach (var token in tokens[..^1])
        {
            parent = parent switch
            {
                JsonObject o => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (parent is null)
            {
                error = $"the JSON patch path {path} does not exist";
                return false;
            }
        }

        var last = tokens[^1];
        switch (op, parent)
        {
            case ("add" or "replace", JsonObject o):
                // A replace of a missing key adds it, as the API server's JSON patch library (evanphx/json-patch) does.
                o.Remove(last);
                o[last] = value;
                return true;
            case ("remove", JsonObject o) when o.ContainsKey(last):
                o.Remove(last);
                return true;
            case ("test", JsonObject o):
                if (JsonNode.DeepEquals(o[last], value))
                {
                    return true;
                }

                error = $"the JSON patch test of {path} failed";
                return false;
            case ("add", JsonArray a) when last == "-" || (int.TryParse(last, out var at) && at >= 0 && at <= a.Count):
                a.Insert(last == "-" ? a.Count : int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                return true;
            case ("replace" or "remove", JsonArray a) when int.TryParse(last, out var index) && index >= 0 && index < a.Count:
                a.RemoveAt(index);
                if (op == "replace")
                {
                    a.Insert(index, value);
                }

                return true;
            default:
                error = $"the JSON patch operation {op} of {path} cannot be applied (supported: add, replace, remove, test)";
                return false;
        }
    }
}
