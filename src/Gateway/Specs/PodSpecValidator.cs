using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Checks a pod spec before the gateway runs it, as the API server would, and rejects by name every
/// field the gateway does not implement. Runs on the spec as written, before
/// <see cref="PodSpecDefaults.ApplyDefaults"/>.
/// </summary>
public static class PodSpecValidator
{
    /// <summary>
    /// The longest duration in seconds a pod may ask for (grace periods, probe periods, delays and
    /// timeouts): 30 days. Kubernetes bounds them only by their integer type, but the gateway times
    /// each one, and .NET's timers stop at 49 days.
    /// </summary>
    public const int MaxDurationSeconds = 30 * 24 * 60 * 60;

    internal static readonly string MaxDurationDetail = $"must be less than or equal to {MaxDurationSeconds} ({MaxDurationSeconds / 86_400} days), the longest the gateway times";

    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];

    /// <summary>
    /// Returns every problem with <paramref name="spec"/>, empty when it is valid. Field paths start
    /// with <paramref name="path"/>, e.g. "spec" or "Gateway:Services:web:Template.spec".
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(V1PodSpec? spec, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<FieldError>();
        if (spec is null)
        {
            errors.Add(FieldError.Required(path));
            return errors;
        }

        SupportedFields.Report(spec, path, errors);

        var containersPath = FieldPath.Child(path, "containers");
        if (spec.Containers is null or { Count: 0 })
        {
            errors.Add(FieldError.Required(containersPath));
        }

        var gracePeriodSeconds = spec.TerminationGracePeriodSeconds ?? PodSpecDefaults.TerminationGracePeriodSeconds;

        var volumes = VolumeValidator.ValidateVolumes(spec.Volumes, FieldPath.Child(path, "volumes"), errors);

        // Container names are unique across containers and init containers together.
        var names = new HashSet<string>(StringComparer.Ordinal);
        ValidateContainers(spec.Containers, containersPath, isInit: false, gracePeriodSeconds, names, errors);
        ValidateContainers(spec.InitContainers, FieldPath.Child(path, "initContainers"), isInit: true, gracePeriodSeconds, names, errors);
        ValidateEnvAndMounts(spec, path, names, volumes, errors);

        errors.AddIfNotSupported(FieldPath.Child(path, "restartPolicy"), spec.RestartPolicy, RestartPolicies);
        if (gracePeriodSeconds < 0)
        {
            errors.Add(FieldError.Invalid(FieldPath.Child(path, "terminationGracePeriodSeconds"), gracePeriodSeconds, "must be greater than or equal to 0"));
        }
        else if (gracePeriodSeconds > MaxDurationSeconds)
        {
            errors.Add(FieldError.Invalid(FieldPath.Child(path, "terminationGracePeriodSeconds"), gracePeriodSeconds, MaxDurationDetail));
        }

        ValidateReadinessGates(spec.ReadinessGates, FieldPath.Child(path, "readinessGates"), errors);
        ValidateActiveDeadline(spec.ActiveDeadlineSeconds, FieldPath.Child(path, "activeDeadlineSeconds"), errors);
        return errors;
    }

    private static void ValidateContainers(
        IList<V1Container>? containers, string path, bool isInit, long gracePeriodSeconds, HashSet<string> names, List<FieldError> errors)
    {
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var containerPath = FieldPath.Index(path, i);
            if (containers![i] is { } container)
            {
                ContainerValidator.Validate(container, containerPath, isInit, gracePeriodSeconds, names, errors);
            }
            else
            {
                errors.Add(FieldError.Required(containerPath));
            }
        }
    }

    // After every container was named: a resourceFieldRef may name any container of the pod.
    private static void ValidateEnvAndMounts(V1PodSpec spec, string path, HashSet<string> containers, HashSet<string> volumes, List<FieldError> errors)
    {
        foreach (var (list, field) in new[] { (spec.Containers, "containers"), (spec.InitContainers, "initContainers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i] is { } container)
                {
                    var containerPath = FieldPath.Index(FieldPath.Child(path, field), i);
                    EnvValidator.Validate(container, containerPath, containers, errors);
                    VolumeValidator.ValidateMounts(container.VolumeMounts, FieldPath.Child(containerPath, "volumeMounts"), volumes, errors);
                }
            }
        }
    }

    // The API server's range is 1 to 2^31-1; the gateway times the deadline, so it stops at 30 days.
    private static void ValidateActiveDeadline(long? seconds, string path, List<FieldError> errors)
    {
        if (seconds is not { } value)
        {
            return;
        }

        if (value < 1)
        {
            errors.Add(FieldError.Invalid(path, value, "must be between 1 and 2147483647, inclusive"));
        }
        else if (value > MaxDurationSeconds)
        {
            errors.Add(FieldError.Invalid(path, value, MaxDurationDetail));
        }
    }

    private static void ValidateReadinessGates(IList<V1PodReadinessGate>? gates, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (gates?.Count ?? 0); i++)
        {
            var gatePath = FieldPath.Index(path, i);
            if (gates![i] is not { } gate)
            {
                errors.Add(FieldError.Required(gatePath));
                continue;
            }

            SupportedFields.Report(gate, gatePath, errors);
            if (string.IsNullOrEmpty(gate.ConditionType))
            {
                errors.Add(FieldError.Required(FieldPath.Child(gatePath, "conditionType")));
            }
        }
    }
}
