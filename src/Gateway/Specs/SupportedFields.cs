using System.Collections;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The part of the pod API the gateway implements, per model type. Any other field that is set is
/// rejected by its JSON name, so a manifest never silently means less than it says — including
/// fields a newer KubernetesClient adds.
/// </summary>
internal static class SupportedFields
{
    public const string NotSupportedDetail = "not supported by the gateway; remove it";

    private const string HostPortDetail = "host ports are allocated by the gateway; remove it";

    private static readonly FrozenDictionary<Type, string[]> Supported = new Dictionary<Type, string[]>
    {
        [typeof(V1PodSpec)] = ["containers", "initContainers", "restartPolicy", "terminationGracePeriodSeconds", "readinessGates", "activeDeadlineSeconds"],
        [typeof(V1PodReadinessGate)] = ["conditionType"],
        [typeof(V1Container)] =
        [
            "name", "image", "imagePullPolicy", "command", "args", "env", "ports", "workingDir", "resources",
            "readinessProbe", "livenessProbe", "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy",
            "restartPolicy",
        ],
        [typeof(V1ContainerPort)] = ["containerPort", "name", "protocol"],
        [typeof(V1EnvVar)] = ["name", "value"],
        [typeof(V1ResourceRequirements)] = ["limits", "requests"],
        [typeof(V1Probe)] =
        [
            "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
            "successThreshold", "failureThreshold", "terminationGracePeriodSeconds",
        ],
        [typeof(V1Lifecycle)] = ["preStop", "postStart"],
        [typeof(V1LifecycleHandler)] = ["exec", "httpGet", "sleep"],
        [typeof(V1ExecAction)] = ["command"],
        [typeof(V1HTTPGetAction)] = ["host", "httpHeaders", "path", "port", "scheme"],
        [typeof(V1HTTPHeader)] = ["name", "value"],
        [typeof(V1TCPSocketAction)] = ["host", "port"],
        [typeof(V1GRPCAction)] = ["port", "service"],
        [typeof(V1SleepAction)] = ["seconds"],
    }.ToFrozenDictionary();

    // Where a plain "not supported" would not tell the user why.
    private static readonly FrozenDictionary<(Type, string), string> Details = new Dictionary<(Type, string), string>
    {
        [(typeof(V1ContainerPort), "hostPort")] = HostPortDetail,
        [(typeof(V1ContainerPort), "hostIP")] = HostPortDetail,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<Type, UnsupportedField[]> Unsupported =
        Supported.ToFrozenDictionary(entry => entry.Key, entry => FindUnsupported(entry.Key, entry.Value));

    /// <summary>
    /// Adds a Forbidden error for each field of <paramref name="model"/> that is set (not null, and
    /// for a list or map not empty) but not supported. Returns how many it added.
    /// </summary>
    public static int Report(object model, string path, ICollection<FieldError> errors)
    {
        var added = 0;
        foreach (var field in Unsupported[model.GetType()])
        {
            if (IsSet(field.Property.GetValue(model)))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Child(path, field.JsonName), field.Detail));
                added++;
            }
        }

        return added;
    }

    private static bool IsSet(object? value) => value switch
    {
        null => false,
        string => true,
        IEnumerable items => items.Cast<object?>().Any(),
        _ => true,
    };

    private static UnsupportedField[] FindUnsupported(Type model, string[] supported)
    {
        var fields = model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => (Property: property, JsonName: property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(field => field.JsonName is not null)
            .ToList();

        // A name here that the model lacks means the allow-list has drifted from the client library.
        var unknown = supported.Except(fields.Select(field => field.JsonName)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"{model.Name} has no field {string.Join(", ", unknown)}.");
        }

        return fields
            .Where(field => !supported.Contains(field.JsonName))
            .Select(field => new UnsupportedField(
                field.Property,
                field.JsonName!,
                Details.GetValueOrDefault((model, field.JsonName!), NotSupportedDetail)))
            .ToArray();
    }

    private sealed record UnsupportedField(PropertyInfo Property, string JsonName, string Detail);
}
