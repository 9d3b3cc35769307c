using System.Globalization;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Pods the gateway runs (<c>"Runtime": "Process"</c> or <c>"Docker"</c>): a pod template inline
/// (<c>Template</c>) or in a Kubernetes YAML file (<c>Manifest</c>), <c>Replicas</c>, a rolling
/// update <c>Strategy</c> and the ConfigMaps and Secrets of <c>ConfigFiles</c>; the template
/// validated as the API server would, then defaulted.
/// </summary>
internal static class PodsBackendLoader
{
    private static readonly string[] StrategyKeys = ["MaxSurge", "MaxUnavailable"];

    /// <param name="sourceFiles">The full paths of the manifest and the ConfigFiles, which are watched for changes.</param>
    public static PodsBackend? Load(SettingsSection service, RuntimeKind runtime, string configDirectory, out List<string> sourceFiles)
    {
        sourceFiles = [];
        var errors = service.Errors;
        var before = errors.Count;
        var replicas = (int?)service.Integer("Replicas", 0, int.MaxValue);
        var settingsJob = JobLoader.Load(service);
        var strategy = service.Object("Strategy", StrategyKeys);
        var objects = new ConfigObjectsLoader();
        foreach (var (filePath, text) in service.Strings("ConfigFiles"))
        {
            if (ConfigFilePath(text, filePath, configDirectory, errors) is { } configFile)
            {
                sourceFiles.Add(configFile);
                ManifestLoader.LoadConfigFile(configFile, filePath, $"{filePath}({text})", objects, errors);
            }
        }

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
            var manifestFile = service.FilePath("Manifest", configDirectory);
            if (manifestFile is not null)
            {
                sourceFiles.Insert(0, manifestFile);
            }

            source = manifestFile is null ? null : ManifestLoader.Load(manifestFile, service.PathOf("Manifest"), $"{service.PathOf("Manifest")}({manifest})", replicas, objects, errors);
        }

        if (source is null)
        {
            if (errors.Count == before)
            {
                errors.Add(FieldError.Required(service.Path, "the pod template is empty"));
            }

            return null;
        }

        var rollout = LoadRollout(strategy, source.Rollout ?? RolloutSpec.Default);
        var pod = source.Template;
        ManifestMetadata.ValidateUnnamed(pod.Metadata, $"{source.Path}.metadata", errors);
        ValidateLabels(pod.Metadata?.Labels, $"{source.Path}.metadata.labels", errors);
        var specPath = $"{source.Path}.spec";
        var job = settingsJob ?? source.Job;
        if (job is not null)
        {
            JobLoader.Validate(service, source, specPath, errors);
        }

        errors.AddRange(PodSpecValidator.Validate(pod.Spec, specPath));
        if (runtime == RuntimeKind.Docker && pod.Spec is not null)
        {
            ValidateForDocker(pod.Spec, specPath, errors);
        }
        else if (pod.Spec is not null)
        {
            ValidateForProcess(pod.Spec, specPath, errors);
        }

        if (runtime == RuntimeKind.Process && pod.Spec is not null)
        {
            ValidateTerminationMessagePaths(pod.Spec, specPath, errors);
            ContainerValidator.ValidateProcessResources(pod.Spec, specPath, ProcessHost.CgroupProblem(), errors);
        }

        if (errors.Count != before)
        {
            return null;
        }

        var configObjects = objects.Build();
        var podSpec = PodSpecDefaults.ApplyDefaults(pod.Spec!); // a null spec is a Required error above
        var labels = (pod.Metadata?.Labels ?? new Dictionary<string, string>()).ToDictionary(l => l.Key, l => l.Value ?? "", StringComparer.Ordinal);
        if (source.PodName is null)
        {
            labels["app"] = service.Key;
        }

        if (job is not null)
        {
            // The labels the Job controller gives its pods, which `kubectl get pods -l job-name=...` selects.
            labels[JobSpec.JobNameLabel] = service.Key;
            labels["job-name"] = service.Key;
        }

        return new PodsBackend
        {
            Runtime = runtime,
            Replicas = source.Replicas ?? 1,
            PodSpec = podSpec,
            Labels = labels,
            PodName = source.PodName,
            Annotations = (pod.Metadata?.Annotations ?? new Dictionary<string, string>()).ToDictionary(a => a.Key, a => a.Value ?? "", StringComparer.Ordinal),
            Objects = configObjects,
            // A changed targetPort is a new template: pods know the port they are routed on from their creation.
            TemplateHash = NameGenerator.TemplateHash($"{runtime}:{KubernetesJson.Serialize(podSpec)}{configObjects.Digest()}{RouteTargetKey(source.RouteTarget)}"),
            Rollout = rollout,
            RouteTarget = source.RouteTarget,
            Job = job,
        };
    }

    private static string RouteTargetKey(RouteTarget? target) => target is null ? "" : $":route={target.Container}/{target.ContainerPort}";

    private static string? ConfigFilePath(string text, string path, string configDirectory, List<FieldError> errors)
    {
        if (text.Length == 0 || text.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, text, "name a YAML file of ConfigMaps and Secrets, relative to the settings file"));
            return null;
        }

        return System.IO.Path.GetFullPath(System.IO.Path.Combine(configDirectory, text));
    }

    /// <summary>The settings' <c>Strategy</c> over <paramref name="rollout"/>, a Deployment manifest's or the default.</summary>
    private static RolloutSpec LoadRollout(SettingsSection strategy, RolloutSpec rollout)
    {
        var before = strategy.Errors.Count;
        foreach (var key in StrategyKeys)
        {
            if (strategy.Scalar(key) is not { Length: > 0 } value)
            {
                continue;
            }

            if (RolloutSpec.Problem(value, unavailable: key == "MaxUnavailable") is { } problem)
            {
                strategy.Errors.Add(FieldError.Invalid(strategy.PathOf(key), value, problem));
            }
            else
            {
                rollout = key == "MaxSurge" ? rollout with { MaxSurge = value } : rollout with { MaxUnavailable = value };
            }
        }

        // The deployment controller's rule: a rollout must be able to move.
        if (strategy.Errors.Count == before && rollout.CannotMove)
        {
            strategy.Errors.Add(FieldError.Invalid(strategy.PathOf("MaxUnavailable"), rollout.MaxUnavailable, "may not be 0 when MaxSurge is 0"));
        }

        return rollout;
    }

    /// <summary>The Process runtime mounts volumes only in a private mount namespace: refused by name where this host allows none.</summary>
    private static void ValidateForProcess(V1PodSpec spec, string specPath, List<FieldError> errors) =>
        VolumeValidator.RefuseWithoutMountNamespace(spec, specPath, ProcessHost.MountNamespaceProblem(), errors);

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
