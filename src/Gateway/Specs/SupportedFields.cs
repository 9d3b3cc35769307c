using System.Collections;
using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The part of the pod API the gateway implements, per model type. Any other field that is set is
/// rejected by its JSON name, so a manifest never silently means less than it says — including
/// fields a newer KubernetesClient adds. A field is set when it means something: a value equal to
/// the API server's default, an empty list or map and an empty object (<c>securityContext: {}</c>)
/// are what <c>kubectl get -o yaml</c> prints for a field nobody set, and count as unset.
/// </summary>
internal static class SupportedFields
{
    public const string NotSupportedDetail = "not supported by the gateway; remove it";

    private const string HostPortDetail = "host ports are allocated by the gateway; remove it";

    private static readonly FrozenDictionary<Type, string[]> Supported = new Dictionary<Type, string[]>
    {
        [typeof(V1PodSpec)] = ["containers", "initContainers", "restartPolicy", "terminationGracePeriodSeconds", "readinessGates", "activeDeadlineSeconds", "volumes"],
        [typeof(V1PodReadinessGate)] = ["conditionType"],
        [typeof(V1Container)] =
        [
            "name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "ports", "workingDir", "resources",
            "readinessProbe", "livenessProbe", "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy",
            "restartPolicy", "volumeMounts",
        ],
        [typeof(V1ContainerPort)] = ["containerPort", "name", "protocol"],
        [typeof(V1EnvVar)] = ["name", "value", "valueFrom"],
        [typeof(V1EnvVarSource)] = ["configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef"],
        [typeof(V1ConfigMapKeySelector)] = ["name", "key", "optional"],
        [typeof(V1SecretKeySelector)] = ["name", "key", "optional"],
        [typeof(V1ObjectFieldSelector)] = ["apiVersion", "fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["containerName", "resource", "divisor"],
        [typeof(V1EnvFromSource)] = ["configMapRef", "secretRef", "prefix"],
        [typeof(V1ConfigMapEnvSource)] = ["name", "optional"],
        [typeof(V1SecretEnvSource)] = ["name", "optional"],
        [typeof(V1Volume)] = ["name", "emptyDir", "hostPath", "configMap", "secret"],
        [typeof(V1EmptyDirVolumeSource)] = [],
        [typeof(V1HostPathVolumeSource)] = ["path", "type"],
        [typeof(V1ConfigMapVolumeSource)] = ["name", "items", "defaultMode", "optional"],
        [typeof(V1SecretVolumeSource)] = ["secretName", "items", "defaultMode", "optional"],
        [typeof(V1KeyToPath)] = ["key", "path", "mode"],
        [typeof(V1VolumeMount)] = ["name", "mountPath", "readOnly", "subPath"],

        // What a real cluster adds to every object (server-populated metadata, kubectl's and Helm's
        // annotations) is accepted and ignored; the rest of the metadata is honoured.
        [typeof(V1ObjectMeta)] =
        [
            "name", "namespace", "labels", "annotations",
            "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "ownerReferences",
        ],
        [typeof(V1DeploymentSpec)] = ["replicas", "selector", "template", "strategy"],
        [typeof(V1LabelSelector)] = ["matchLabels"],
        [typeof(V1DeploymentStrategy)] = ["type", "rollingUpdate"],
        [typeof(V1RollingUpdateDeployment)] = ["maxSurge", "maxUnavailable"],

        // A Service beside the Deployment: its selector and the port it sends to. The addresses a
        // cluster gave it (clusterIP, ipFamilies) are the cluster's, accepted and ignored.
        [typeof(V1ServiceSpec)] = ["selector", "ports", "clusterIP", "clusterIPs", "ipFamilies"],
        [typeof(V1ServicePort)] = ["name", "port", "targetPort", "protocol", "appProtocol"],
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

    // The API server's defaults of fields the gateway does not implement (k8s pkg/apis/core/v1 and
    // apps/v1 defaults.go): a manifest that holds them asks for nothing the gateway does not do.
    private static readonly FrozenDictionary<(Type, string), object> Defaults = new Dictionary<(Type, string), object>
    {
        [(typeof(V1PodSpec), "dnsPolicy")] = "ClusterFirst",
        [(typeof(V1PodSpec), "schedulerName")] = "default-scheduler",
        [(typeof(V1PodSpec), "enableServiceLinks")] = true,
        [(typeof(V1PodSpec), "serviceAccountName")] = "default",
        [(typeof(V1PodSpec), "serviceAccount")] = "default",
        [(typeof(V1PodSpec), "priority")] = 0,
        [(typeof(V1PodSpec), "preemptionPolicy")] = "PreemptLowerPriority",
        [(typeof(V1PodSpec), "hostNetwork")] = false,
        [(typeof(V1PodSpec), "hostPID")] = false,
        [(typeof(V1PodSpec), "hostIPC")] = false,
        [(typeof(V1PodSpec), "shareProcessNamespace")] = false,
        [(typeof(V1PodSpec), "setHostnameAsFQDN")] = false,
        [(typeof(V1PodSpec), "hostUsers")] = true,
        [(typeof(V1Container), "stdin")] = false,
        [(typeof(V1Container), "stdinOnce")] = false,
        [(typeof(V1Container), "tty")] = false,
        [(typeof(V1EmptyDirVolumeSource), "medium")] = "",
        [(typeof(V1VolumeMount), "mountPropagation")] = "None",
        [(typeof(V1VolumeMount), "recursiveReadOnly")] = "Disabled",
        [(typeof(V1DeploymentSpec), "revisionHistoryLimit")] = 10,
        [(typeof(V1DeploymentSpec), "progressDeadlineSeconds")] = 600,
        [(typeof(V1DeploymentSpec), "minReadySeconds")] = 0,
        [(typeof(V1DeploymentSpec), "paused")] = false,
        [(typeof(V1ServiceSpec), "type")] = "ClusterIP",
        [(typeof(V1ServiceSpec), "sessionAffinity")] = "None",
        [(typeof(V1ServiceSpec), "internalTrafficPolicy")] = "Cluster",
        [(typeof(V1ServiceSpec), "ipFamilyPolicy")] = "SingleStack",
        [(typeof(V1ServiceSpec), "publishNotReadyAddresses")] = false,
    }.ToFrozenDictionary();

    // Where a plain "not supported" would not tell the user why.
    private static readonly FrozenDictionary<(Type, string), string> Details = new Dictionary<(Type, string), string>
    {
        [(typeof(V1ContainerPort), "hostPort")] = HostPortDetail,
        [(typeof(V1ContainerPort), "hostIP")] = HostPortDetail,
        [(typeof(V1EmptyDirVolumeSource), "medium")] = "not supported by the gateway: an emptyDir is a folder on the host's disk; remove it",
        [(typeof(V1EmptyDirVolumeSource), "sizeLimit")] = "not supported by the gateway: an emptyDir is not limited in size; remove it",
        [(typeof(V1LabelSelector), "matchExpressions")] = "not supported by the gateway: select the pods with matchLabels; remove it",
        [(typeof(V1DeploymentSpec), "revisionHistoryLimit")] = "not supported by the gateway, which keeps no old ReplicaSets; remove it or set it to its default, 10",
        [(typeof(V1DeploymentSpec), "progressDeadlineSeconds")] = "not supported by the gateway; remove it or set it to its default, 600",
        [(typeof(V1DeploymentSpec), "minReadySeconds")] = "not supported by the gateway; remove it or set it to its default, 0 (for a gentle start see the service's SlowStartSeconds)",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<Type, UnsupportedField[]> Unsupported =
        Supported.ToFrozenDictionary(entry => entry.Key, entry => FindUnsupported(entry.Key, entry.Value));

    /// <summary>
    /// Adds a Forbidden error for each field of <paramref name="model"/> that is set (see the class)
    /// but not supported. Returns how many it added.
    /// </summary>
    public static int Report(object model, string path, ICollection<FieldError> errors)
    {
        var added = 0;
        foreach (var field in Unsupported[model.GetType()])
        {
            if (IsSet(field.Property.GetValue(model), field.Default))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Child(path, field.JsonName), field.Detail));
                added++;
            }
        }

        return added;
    }

    /// <summary>Whether <paramref name="value"/> means something: not null, not <paramref name="apiDefault"/>, not an empty list, map or object.</summary>
    public static bool IsSet(object? value, object? apiDefault = null) => value switch
    {
        null => false,
        _ when apiDefault is not null && SameValue(value, apiDefault) => false,
        string => true,
        IEnumerable items => items.Cast<object?>().Any(),
        _ when IsModel(value.GetType(), out var fields) => fields.Any(field => IsSet(field.Property.GetValue(value))),
        _ => true,
    };

    // An int default matches a long or an int value alike.
    private static bool SameValue(object value, object apiDefault) =>
        value.Equals(apiDefault) || (value is IConvertible && apiDefault is IConvertible && value.GetType() != typeof(string) &&
            string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), Convert.ToString(apiDefault, CultureInfo.InvariantCulture), StringComparison.Ordinal));

    // An object of the API (not a quantity or an int-or-string, which are single values).
    private static bool IsModel(Type type, out List<(PropertyInfo Property, string? JsonName)> fields)
    {
        fields = type.Namespace == typeof(V1Pod).Namespace ? JsonFields(type) : [];
        return fields.Count > 0;
    }

    private static List<(PropertyInfo Property, string? JsonName)> JsonFields(Type model) =>
        model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => (Property: property, JsonName: property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(field => field.JsonName is not null)
            .ToList();

    private static UnsupportedField[] FindUnsupported(Type model, string[] supported)
    {
        var fields = JsonFields(model);

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
                Details.GetValueOrDefault((model, field.JsonName!), NotSupportedDetail),
                Defaults.GetValueOrDefault((model, field.JsonName!))))
            .ToArray();
    }

    private sealed record UnsupportedField(PropertyInfo Property, string JsonName, string Detail, object? Default);
}
