using System.Globalization;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Pods the gateway runs (<c>"Runtime": "Process"</c> or <c>"Docker"</c>): a pod template inline
/// (<c>Template</c>) or in a Kubernetes YAML file (<c>Manifest</c>), <c>Replicas</c> and a rolling
/// update <c>Strategy</c>; the template validated as the API server would, then defaulted.
/// </summary>
internal static class PodsBackendLoader
{
    private static readonly string[] StrategyKeys = ["MaxSurge", "MaxUnavailable"];

    /// <param name="manifestFile">The manifest's full path, which is watched for changes; null for an inline template.</param>
    public static PodsBackend? Load(SettingsSection service, RuntimeKind runtime, string configDirectory, out string? manifestFile)
    {
        manifestFile = null;
        var errors = service.Errors;
        var before = errors.Count;
        var replicas = (int?)service.Integer("Replicas", 0, int.MaxValue);
        var rollout = LoadRollout(service.Object("Strategy", StrategyKeys));

        var beforeSource = errors.Count;
        var template = service.Object("Template", known: null);
        var manifest = service.Scalar("Manifest");
        var hasTemplate = template.HasChildren;
        var hasManifest = !string.IsNullOrEmpty(manifest);
        if (errors.Count != beforeSource)
        {
            return null;
        }

        if (hasTemplate == hasManifest)
        {
            errors.Add(hasTemplate
                ? FieldError.InvalidOmitValue(service.Path, "both Template and Manifest are set: give the pod template inline (Template) or as a Kubernetes YAML file (Manifest), not both")
                : FieldError.Required(service.Path, "set Template (a Kubernetes PodTemplateSpec) or Manifest (the path of a Kubernetes YAML file holding a Pod or a Deployment)"));
            return null;
        }

        PodTemplateSource? source;
        if (hasTemplate)
        {
            source = ConfigurationJson.Bind<V1PodTemplateSpec>(template.Configuration, template.Path, errors) is { } bound
                ? new PodTemplateSource(bound, template.Path, PodName: null, replicas)
                : null;
        }
        else
        {
            manifestFile = service.FilePath("Manifest", configDirectory);
            source = manifestFile is null ? null : ManifestLoader.Load(manifestFile, service.PathOf("Manifest"), $"{service.PathOf("Manifest")}({manifest})", replicas, errors);
        }

        if (source is null)
        {
            if (errors.Count == before)
            {
                errors.Add(FieldError.Required(service.Path, "the pod template is empty"));
            }

            return null;
        }

        var pod = source.Template;
        ValidateLabels(pod.Metadata?.Labels, $"{source.Path}.metadata.labels", errors);
        var specPath = $"{source.Path}.spec";
        errors.AddRange(PodSpecValidator.Validate(pod.Spec, specPath));
        if (runtime == RuntimeKind.Docker && pod.Spec is not null)
        {
            ValidateForDocker(pod.Spec, specPath, errors);
        }

        if (runtime == RuntimeKind.Process && pod.Spec is not null)
        {
            ValidateTerminationMessagePaths(pod.Spec, specPath, errors);
        }

        if (errors.Count != before)
        {
            return null;
        }

        var podSpec = PodSpecDefaults.ApplyDefaults(pod.Spec!); // a null spec is a Required error above
        var labels = (pod.Metadata?.Labels ?? new Dictionary<string, string>()).ToDictionary(l => l.Key, l => l.Value ?? "", StringComparer.Ordinal);
        if (source.PodName is null)
        {
            labels["app"] = service.Key;
        }

        return new PodsBackend
        {
            Runtime = runtime,
            Replicas = source.Replicas ?? 1,
            PodSpec = podSpec,
            Labels = labels,
            PodName = source.PodName,
            TemplateHash = NameGenerator.TemplateHash($"{runtime}:{KubernetesJson.Serialize(podSpec)}"),
            Rollout = rollout,
        };
    }

    private static RolloutSpec LoadRollout(SettingsSection strategy)
    {
        var rollout = RolloutSpec.Default;
        foreach (var key in StrategyKeys)
        {
            if (strategy.Scalar(key) is not { Length: > 0 } value)
            {
                continue;
            }

            if (!RolloutSpec.IsValid(value))
            {
                strategy.Errors.Add(FieldError.Invalid(strategy.PathOf(key), value, "must be a non-negative integer or a percentage, e.g. \"25%\""));
            }
            else if (key == "MaxUnavailable" && value.EndsWith('%') && int.Parse(value[..^1], CultureInfo.InvariantCulture) > 100)
            {
                strategy.Errors.Add(FieldError.Invalid(strategy.PathOf(key), value, "must not be greater than 100%"));
            }
            else
            {
                rollout = key == "MaxSurge" ? rollout with { MaxSurge = value } : rollout with { MaxUnavailable = value };
            }
        }

        // The deployment controller's rule: a rollout must be able to move.
        if (IsZero(rollout.MaxSurge) && IsZero(rollout.MaxUnavailable))
        {
            strategy.Errors.Add(FieldError.Invalid(strategy.PathOf("MaxUnavailable"), rollout.MaxUnavailable, "may not be 0 when MaxSurge is 0"));
        }

        return rollout;
    }

    private static bool IsZero(string countOrPercent) =>
        int.TryParse(countOrPercent.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == 0;

    /// <summary>The Docker runtime runs images: every container names one (the Process runtime only shows it).</summary>
    private static void ValidateForDocker(V1PodSpec spec, string specPath, List<FieldError> errors)
    {
        foreach (var (list, field) in new[] { (spec.InitContainers, "initContainers"), (spec.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i] is { } container && string.IsNullOrWhiteSpace(container.Image))
                {
                    errors.Add(FieldError.Required($"{specPath}.{field}[{i}].image", "the Docker runtime runs an image; name one (e.g. \"busybox\")"));
                }
            }
        }
    }

    /// <summary>
    /// A host process has no container filesystem for <c>terminationMessagePath</c> to name a file in:
    /// only the default is taken, and the file is given in <c>$TERMINATION_MESSAGE_PATH</c>.
    /// </summary>
    private static void ValidateTerminationMessagePaths(V1PodSpec spec, string specPath, List<FieldError> errors)
    {
        foreach (var (list, field) in new[] { (spec.InitContainers, "initContainers"), (spec.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i] is { TerminationMessagePath: { Length: > 0 } messagePath } && messagePath != PodSpecDefaults.TerminationMessagePath)
                {
                    errors.Add(FieldError.Forbidden($"{specPath}.{field}[{i}].terminationMessagePath",
                        $"the Process runtime has no container filesystem to put it in: each instance writes its message to the file named by "
                        + $"${PodSpecDefaults.TerminationMessagePathVariable}; remove it or use the Docker runtime"));
                }
            }
        }
    }

    private static void ValidateLabels(IDictionary<string, string>? labels, string path, List<FieldError> errors)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            errors.AddInvalid(path, key, NameRules.QualifiedName(key));
            errors.AddInvalid(path, value ?? "", NameRules.LabelValue(value ?? ""));
        }
    }
}
