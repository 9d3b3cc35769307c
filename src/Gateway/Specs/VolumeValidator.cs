using k8s.Models;

namespace Gateway.Specs;

/// <summary>A pod's <c>volumes</c> and its containers' <c>volumeMounts</c>, checked as the API server checks them (k8s validateVolumes, validateVolumeMounts).</summary>
internal static class VolumeValidator
{
    /// <summary>The <c>hostPath.type</c>s the gateway checks before it mounts ("" checks nothing).</summary>
    public static readonly string[] HostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File"];

    /// <summary>The largest file mode of a projected file: 0777.</summary>
    public const int MaxMode = 0x1FF;

    /// <summary>Checks <paramref name="volumes"/>; returns the names of the valid ones, which mounts may name.</summary>
    public static HashSet<string> ValidateVolumes(IList<V1Volume>? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (volumes?.Count ?? 0); i++)
        {
            var volumePath = FieldPath.Index(path, i);
            if (volumes![i] is not { } volume)
            {
                errors.Add(FieldError.Required(volumePath));
                continue;
            }

            var unsupported = SupportedFields.Report(volume, volumePath, errors);
            var namePath = FieldPath.Child(volumePath, "name");
            if (string.IsNullOrEmpty(volume.Name))
            {
                errors.Add(FieldError.Required(namePath));
            }
            else
            {
                var problems = NameRules.Dns1123Label(volume.Name);
                errors.AddInvalid(namePath, volume.Name, problems);
                if (problems.Count == 0 && !names.Add(volume.Name))
                {
                    errors.Add(FieldError.Duplicate(namePath, volume.Name));
                }
            }

            var sources = new (string Field, object? Source)[] { ("emptyDir", volume.EmptyDir), ("hostPath", volume.HostPath), ("configMap", volume.ConfigMap), ("secret", volume.Secret) }
                .Where(s => s.Source is not null).ToList();
            if (sources.Count == 0 && unsupported == 0)
            {
                errors.Add(FieldError.Required(volumePath, "must specify a volume type"));
            }

            foreach (var (field, _) in sources.Skip(unsupported > 0 ? 0 : 1))
            {
                errors.Add(FieldError.Forbidden(FieldPath.Child(volumePath, field), "may not specify more than 1 volume type"));
            }

            ValidateSource(volume, volumePath, errors);
        }

        return names;
    }

    private static void ValidateSource(V1Volume volume, string path, List<FieldError> errors)
    {
        if (volume.EmptyDir is { } emptyDir)
        {
            SupportedFields.Report(emptyDir, FieldPath.Child(path, "emptyDir"), errors);
        }

        if (volume.HostPath is { } hostPath)
        {
            var hostPathPath = FieldPath.Child(path, "hostPath");
            SupportedFields.Report(hostPath, hostPathPath, errors);
            if (string.IsNullOrEmpty(hostPath.Path))
            {
                errors.Add(FieldError.Required(FieldPath.Child(hostPathPath, "path")));
            }
            else if (!hostPath.Path.StartsWith('/'))
            {
                errors.Add(FieldError.Invalid(FieldPath.Child(hostPathPath, "path"), hostPath.Path, "must be an absolute path"));
            }
            else if (HasBacksteps(hostPath.Path))
            {
                errors.Add(FieldError.Invalid(FieldPath.Child(hostPathPath, "path"), hostPath.Path, "must not contain '..'"));
            }

            if (hostPath.Type is { } type && !HostPathTypes.Contains(type, StringComparer.Ordinal))
            {
                errors.Add(FieldError.NotSupported(FieldPath.Child(hostPathPath, "type"), type, HostPathTypes.Where(t => t.Length > 0)));
            }
        }

        if (volume.ConfigMap is { } configMap)
        {
            var configMapPath = FieldPath.Child(path, "configMap");
            SupportedFields.Report(configMap, configMapPath, errors);
            EnvValidator.ValidateObjectName(configMap.Name, FieldPath.Child(configMapPath, "name"), errors);
            ValidateProjection(configMap.Items, configMap.DefaultMode, configMapPath, errors);
        }

        if (volume.Secret is { } secret)
        {
            var secretPath = FieldPath.Child(path, "secret");
            SupportedFields.Report(secret, secretPath, errors);
            EnvValidator.ValidateObjectName(secret.SecretName, FieldPath.Child(secretPath, "secretName"), errors);
            ValidateProjection(secret.Items, secret.DefaultMode, secretPath, errors);
        }
    }

    private static void ValidateProjection(IList<V1KeyToPath>? items, int? defaultMode, string path, List<FieldError> errors)
    {
        ValidateMode(defaultMode, FieldPath.Child(path, "defaultMode"), errors);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var itemPath = FieldPath.Index(FieldPath.Child(path, "items"), i);
            if (items![i] is not { } item)
            {
                errors.Add(FieldError.Required(itemPath));
                continue;
            }

            SupportedFields.Report(item, itemPath, errors);
            if (string.IsNullOrEmpty(item.Key))
            {
                errors.Add(FieldError.Required(FieldPath.Child(itemPath, "key")));
            }
            else
            {
                errors.AddInvalid(FieldPath.Child(itemPath, "key"), item.Key, NameRules.ConfigMapKey(item.Key));
            }

            var relativePath = FieldPath.Child(itemPath, "path");
            if (string.IsNullOrEmpty(item.Path))
            {
                errors.Add(FieldError.Required(relativePath));
            }
            else if (RelativePathProblem(item.Path) is { } problem)
            {
                errors.Add(FieldError.Invalid(relativePath, item.Path, problem));
            }
            else if (!paths.Add(item.Path.TrimEnd('/')))
            {
                errors.Add(FieldError.Duplicate(relativePath, item.Path));
            }

            ValidateMode(item.Mode, FieldPath.Child(itemPath, "mode"), errors);
        }
    }

    private static void ValidateMode(int? mode, string path, List<FieldError> errors)
    {
        if (mode is < 0 or > MaxMode)
        {
            errors.Add(FieldError.Invalid(path, mode.Value, "must be a number between 0 and 0777 (octal), both inclusive"));
        }
    }

    /// <summary>Checks a container's <c>volumeMounts</c> against the pod's <paramref name="volumes"/>.</summary>
    public static void ValidateMounts(IList<V1VolumeMount>? mounts, string path, IReadOnlySet<string> volumes, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (mounts?.Count ?? 0); i++)
        {
            var mountPath = FieldPath.Index(path, i);
            if (mounts![i] is not { } mount)
            {
                errors.Add(FieldError.Required(mountPath));
                continue;
            }

            SupportedFields.Report(mount, mountPath, errors);
            var namePath = FieldPath.Child(mountPath, "name");
            if (string.IsNullOrEmpty(mount.Name))
            {
                errors.Add(FieldError.Required(namePath));
            }
            else if (!volumes.Contains(mount.Name))
            {
                var declared = volumes.Count == 0 ? "the pod declares none" : $"the pod declares {string.Join(", ", volumes.Order(StringComparer.Ordinal).Select(GoSyntax.Quote))}";
                errors.Add(new FieldError(namePath, FieldError.NotFoundType, GoSyntax.Quote(mount.Name), $"no volume of that name in spec.volumes ({declared}); declare it there, e.g. {{name: {mount.Name}, emptyDir: {{}}}}, or mount a declared one"));
            }

            var pathPath = FieldPath.Child(mountPath, "mountPath");
            if (string.IsNullOrEmpty(mount.MountPath))
            {
                errors.Add(FieldError.Required(pathPath));
            }
            else if (!mount.MountPath.StartsWith('/'))
            {
                errors.Add(FieldError.Invalid(pathPath, mount.MountPath, "must be an absolute path"));
            }
            else if (HasBacksteps(mount.MountPath))
            {
                errors.Add(FieldError.Invalid(pathPath, mount.MountPath, "must not contain '..'"));
            }
            else if (!mountPaths.Add(Normalized(mount.MountPath)))
            {
                errors.Add(FieldError.Invalid(pathPath, mount.MountPath, "must be unique: another of the container's volumeMounts mounts there; give each mount its own mountPath"));
            }

            if (!string.IsNullOrEmpty(mount.SubPath) && RelativePathProblem(mount.SubPath) is { } problem)
            {
                errors.Add(FieldError.Invalid(FieldPath.Child(mountPath, "subPath"), mount.SubPath, problem));
            }
        }
    }

    /// <summary>
    /// The Process runtime mounts volumes in a private mount namespace per container: where the host
    /// allows none (<paramref name="hostProblem"/> says why), a pod with volumes is refused at
    /// <c>spec.volumes</c> with the reason and the fixes. Null <paramref name="hostProblem"/>: allowed.
    /// </summary>
    public static void RefuseWithoutMountNamespace(V1PodSpec spec, string specPath, string? hostProblem, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(errors);
        var mounts = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).Any(c => c?.VolumeMounts is { Count: > 0 });
        if (hostProblem is null || (spec.Volumes is not { Count: > 0 } && !mounts))
        {
            return;
        }

        errors.Add(FieldError.Forbidden($"{specPath}.volumes",
            $"the Process runtime mounts volumes in a private mount namespace, which this host does not allow ({hostProblem}); " +
            "run the gateway as root or with CAP_SYS_ADMIN, with util-linux installed, or run this service with \"Runtime\": \"Docker\", or remove the volumes"));
    }

    /// <summary>The API server's rule for a path inside a volume: relative, without '..'.</summary>
    public static string? RelativePathProblem(string path) =>
        path.StartsWith('/') ? "must be a relative path"
        : HasBacksteps(path) ? "must not contain '..'"
        : path.Contains('\0', StringComparison.Ordinal) ? "must not contain a NUL character"
        : null;

    private static bool HasBacksteps(string path) => path.Split('/').Contains("..", StringComparer.Ordinal);

    private static string Normalized(string mountPath) => mountPath.Length > 1 ? mountPath.TrimEnd('/') : mountPath;
}
