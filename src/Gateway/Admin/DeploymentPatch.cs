using System.Text.Json.Nodes;
using Gateway.Controllers;
using k8s;

namespace Gateway.Admin;

/// <summary>
/// What a write of a Deployment asks for, read from the object as it is and as the write would make
/// it: the replicas, <c>spec.paused</c>, and a template that is either the one in force with other
/// annotations (<c>rollout restart</c>) or a kept revision's (<c>rollout undo</c>). Anything else the
/// write changes is refused with the field it names: the settings file owns it.
/// </summary>
internal static class DeploymentPatch
{
    public sealed record Desired(int Replicas, bool Paused, PodTemplate Template);

    private static readonly string[] OwnedByTheFile = ["selector", "strategy", "revisionHistoryLimit", "progressDeadlineSeconds", "minReadySeconds"];

    public static Desired? Decide(JsonNode before, JsonNode after, RevisionHistory history, List<KubernetesStatus.Cause> causes)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(causes);
        var current = history.Current ?? throw new ArgumentException("a Deployment has a revision", nameof(history));
        foreach (var key in new[] { "apiVersion", "kind" })
        {
            Unchanged(before[key], after[key], key, causes);
        }

        foreach (var key in Keys(before["metadata"], after["metadata"]).Where(k => k is not ("resourceVersion" or "managedFields" or "annotations")))
        {
            Unchanged(before["metadata"]?[key], after["metadata"]?[key], $"metadata.{key}", causes);
        }

        // The gateway's own annotations are shown, not stored: kubectl rollout undo sends them back, or leaves them out.
        Unchanged(WithoutOwn(before["metadata"]?["annotations"]), WithoutOwn(after["metadata"]?["annotations"]), "metadata.annotations", causes);

        var spec = after["spec"] as JsonObject;
        foreach (var key in OwnedByTheFile)
        {
            Unchanged(before["spec"]?[key], spec?[key], $"spec.{key}", causes);
        }

        foreach (var key in Keys(null, spec).Where(k => k is not ("replicas" or "paused" or "template") && !OwnedByTheFile.Contains(k)))
        {
            causes.Add(new("FieldValueNotSupported", $"spec.{key}", $"Unsupported value: the gateway's Deployments have no field {key}"));
        }

        var replicas = Replicas(spec?["replicas"], "spec.replicas", causes);
        var paused = spec?["paused"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            var other => Fail(causes, "spec.paused", $"Invalid value: {other.ToJsonString()}: must be true or false"),
        };
        var template = Template(before["spec"]?["template"], spec?["template"], history, current.Template, causes);
        return causes.Count > 0 || replicas is not { } count || template is null ? null : new Desired(count, paused, template);
    }

    /// <summary>A replica count as the API server validates it: an integer, not negative.</summary>
    public static int? Replicas(JsonNode? value, string field, List<KubernetesStatus.Cause> causes)
    {
        ArgumentNullException.ThrowIfNull(causes);
        if (value is JsonValue v && v.TryGetValue<int>(out var n))
        {
            if (n >= 0)
            {
                return n;
            }

            causes.Add(new("FieldValueInvalid", field, $"Invalid value: {n}: must be greater than or equal to 0"));
            return null;
        }

        causes.Add(new("FieldValueInvalid", field, $"Invalid value: {value?.ToJsonString() ?? "null"}: must be an integer greater than or equal to 0"));
        return null;
    }

    private static PodTemplate? Template(JsonNode? before, JsonNode? after, RevisionHistory history, PodTemplate current, List<KubernetesStatus.Cause> causes)
    {
        if (after is not JsonObject template)
        {
            causes.Add(new("FieldValueRequired", "spec.template", "Required value"));
            return null;
        }

        foreach (var key in Keys(before?["metadata"], template["metadata"]).Where(k => k != "annotations"))
        {
            Unchanged(before?["metadata"]?[key], template["metadata"]?[key], $"spec.template.metadata.{key}", causes);
        }

        foreach (var key in Keys(before, template).Where(k => k is not ("metadata" or "spec")))
        {
            Unchanged(before?[key], template[key], $"spec.template.{key}", causes);
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (template["metadata"]?["annotations"] is JsonObject given)
        {
            foreach (var (key, value) in given)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    annotations[key] = text;
                }
                else
                {
                    causes.Add(new("FieldValueInvalid", $"spec.template.metadata.annotations[{key}]", "Invalid value: must be a string"));
                }
            }
        }

        if (JsonNode.DeepEquals(Canonical(before?["spec"]), Canonical(template["spec"])))
        {
            return current with { Annotations = annotations };
        }

        // Not the template in force: it must be one the Deployment ran, as kubectl rollout undo sends.
        var wanted = Canonical(template["spec"]);
        var revision = history.Revisions.FirstOrDefault(r => JsonNode.DeepEquals(Canonical(JsonNode.Parse(KubernetesJson.Serialize(r.Template.Spec))), wanted));
        if (revision is null)
        {
            causes.Add(new("FieldValueForbidden", "spec.template.spec",
                "Forbidden: the pod template comes from the settings file; through the API a Deployment can only go back to a revision it ran (kubectl rollout undo) or change the template's annotations (kubectl rollout restart)"));
            return null;
        }

        return revision.Template with { Annotations = annotations };
    }

    /// <summary>
    /// A pod spec as JSON without what says nothing (nulls, zeros, false, empty strings, objects and
    /// lists: Go's <c>omitempty</c> drops them), so that the same spec compares equal whether it
    /// comes from this gateway or went through kubectl's Go structs.
    /// </summary>
    public static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value))).Where(p => !IsEmpty(p.Value))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null or JsonObject { Count: 0 } or JsonArray { Count: 0 } => true,
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.False => true,
            System.Text.Json.JsonValueKind.Number => v.ToJsonString() is "0" or "0.0",
            System.Text.Json.JsonValueKind.String => v.GetValue<string>().Length == 0,
            _ => false,
        },
        _ => false,
    };

    private static JsonObject? WithoutOwn(JsonNode? annotations) => annotations is JsonObject o && o.Any(p => !IsOwn(p.Key))
        ? new JsonObject(o.Where(p => !IsOwn(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())))
        : null;

    private static bool IsOwn(string annotation) => annotation is DeploymentMapper.RevisionAnnotation or DeploymentStore.SourceAnnotation;

    private static void Unchanged(JsonNode? before, JsonNode? after, string field, List<KubernetesStatus.Cause> causes)
    {
        if (!JsonNode.DeepEquals(before, after))
        {
            causes.Add(new("FieldValueForbidden", field, "Forbidden: set by the gateway's settings file, not through the API"));
        }
    }

    private static IEnumerable<string> Keys(JsonNode? a, JsonNode? b) =>
        ((a as JsonObject)?.Select(p => p.Key) ?? []).Union((b as JsonObject)?.Select(p => p.Key) ?? [], StringComparer.Ordinal);

    private static bool Fail(List<KubernetesStatus.Cause> causes, string field, string message)
    {
        causes.Add(new("FieldValueInvalid", field, message));
        return false;
    }
}
