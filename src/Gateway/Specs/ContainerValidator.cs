using System.Globalization;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>Validates one container or init container of a pod (k8s validateContainers and validateInitContainers).</summary>
internal static class ContainerValidator
{
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] PortProtocols = ["TCP"];
    private static readonly string[] TerminationMessagePolicies = ["File", "FallbackToLogsOnError"];
    private static readonly string[] InitContainerRestartPolicies = [PodSpecDefaults.SidecarRestartPolicy];
    private static readonly string[] ResourceNames = ["cpu", "memory"];
    /// <summary>The most CPUs a container may ask for: far beyond any host, and within Docker's nano-CPU count.</summary>
    public const int MaxCpu = 1_000_000;

    private static readonly ProbeKind[] ProbeKinds = [ProbeKind.Readiness, ProbeKind.Liveness, ProbeKind.Startup];

    /// <summary>
    /// Adds the container's errors to <paramref name="errors"/>. <paramref name="names"/> holds the
    /// names of the containers validated before this one, and gets this one's name.
    /// </summary>
    public static void Validate(V1Container container, string path, bool isInit, long gracePeriodSeconds, ISet<string> names, List<FieldError> errors)
    {
        SupportedFields.Report(container, path, errors);
        ValidateName(container.Name, FieldPath.Child(path, "name"), names, errors);
        ValidateRestartPolicy(container.RestartPolicy, FieldPath.Child(path, "restartPolicy"), isInit, errors);

        // A sidecar (an init container with restartPolicy Always) may have probes and hooks, as in Kubernetes.
        var plainInit = isInit && !PodSpecDefaults.IsSidecar(container);
        errors.AddIfNotSupported(FieldPath.Child(path, "imagePullPolicy"), container.ImagePullPolicy, PullPolicies);
        ValidatePorts(container.Ports, FieldPath.Child(path, "ports"), errors);
        if (container.Resources is not null)
        {
            ValidateResources(container.Resources, FieldPath.Child(path, "resources"), errors);
        }

        var ports = DeclaredPorts.Of(container, path);
        foreach (var kind in ProbeKinds)
        {
            if (Probe(container, kind) is not { } probe)
            {
                continue;
            }

            var probePath = FieldPath.Child(path, ProbeValidator.FieldName(kind));
            if (plainInit)
            {
                errors.Add(FieldError.Forbidden(probePath, "may not be set for init containers"));
            }
            else
            {
                ProbeValidator.Validate(probe, kind, probePath, ports, errors);
            }
        }

        if (container.Lifecycle is not null)
        {
            var lifecyclePath = FieldPath.Child(path, "lifecycle");
            if (plainInit)
            {
                errors.Add(FieldError.Forbidden(lifecyclePath, "may not be set for init containers"));
            }
            else
            {
                ValidateLifecycle(container.Lifecycle, lifecyclePath, ports, gracePeriodSeconds, errors);
            }
        }

        errors.AddIfNotSupported(FieldPath.Child(path, "terminationMessagePolicy"), container.TerminationMessagePolicy, TerminationMessagePolicies);
        ValidateProcessText(container, path, errors);
    }

    private static void ValidateRestartPolicy(string? restartPolicy, string path, bool isInit, List<FieldError> errors)
    {
        if (restartPolicy is null)
        {
            return;
        }

        if (!isInit)
        {
            errors.Add(FieldError.Forbidden(path, "may not be set for non-init containers"));
            return;
        }

        errors.AddIfNotSupported(path, restartPolicy, InitContainerRestartPolicies);
    }

    // What becomes an argument, a variable or a folder of a process: an operating system takes no NUL there.
    private static void ValidateProcessText(V1Container container, string path, List<FieldError> errors)
    {
        var texts = new List<(string Path, string? Text)> { (FieldPath.Child(path, "image"), container.Image), (FieldPath.Child(path, "workingDir"), container.WorkingDir) };
        foreach (var (field, list) in new[] { ("command", container.Command), ("args", container.Args) })
        {
            texts.AddRange((list ?? []).Select((text, i) => (FieldPath.Index(FieldPath.Child(path, field), i), (string?)text)));
        }

        texts.AddRange((container.Env ?? []).Select((variable, i) => (FieldPath.Child(FieldPath.Index(FieldPath.Child(path, "env"), i), "value"), variable?.Value)));
        foreach (var (field, text) in texts)
        {
            if (text?.Contains('\0', StringComparison.Ordinal) == true)
            {
                errors.Add(FieldError.Invalid(field, text, "must not contain a NUL character"));
            }
        }
    }

    private static V1Probe? Probe(V1Container container, ProbeKind kind) => kind switch
    {
        ProbeKind.Readiness => container.ReadinessProbe,
        ProbeKind.Liveness => container.LivenessProbe,
        ProbeKind.Startup => container.StartupProbe,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static void ValidateName(string? name, string path, ISet<string> names, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var nameErrors = NameRules.Dns1123Label(name);
        errors.AddInvalid(path, name, nameErrors);
        if (nameErrors.Count == 0 && !names.Add(name))
        {
            errors.Add(FieldError.Duplicate(path, name));
        }
    }

    private static void ValidatePorts(IList<V1ContainerPort>? ports, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var portPath = FieldPath.Index(path, i);
            if (ports![i] is not { } port)
            {
                errors.Add(FieldError.Required(portPath));
                continue;
            }

            SupportedFields.Report(port, portPath, errors);
            if (!string.IsNullOrEmpty(port.Name))
            {
                var namePath = FieldPath.Child(portPath, "name");
                var nameErrors = NameRules.PortName(port.Name);
                errors.AddInvalid(namePath, port.Name, nameErrors);
                if (nameErrors.Count == 0 && !names.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate(namePath, port.Name));
                }
            }

            var numberPath = FieldPath.Child(portPath, "containerPort");
            if (port.ContainerPort == 0)
            {
                errors.Add(FieldError.Required(numberPath));
            }
            else
            {
                errors.AddInvalid(numberPath, port.ContainerPort, NameRules.PortNumber(port.ContainerPort));
            }

            errors.AddIfNotSupported(FieldPath.Child(portPath, "protocol"), port.Protocol, PortProtocols);
        }
    }

    private static void ValidateResources(V1ResourceRequirements resources, string path, List<FieldError> errors)
    {
        SupportedFields.Report(resources, path, errors);
        foreach (var (field, quantities) in new[] { ("limits", resources.Limits), ("requests", resources.Requests) })
        {
            foreach (var (name, quantity) in quantities ?? new Dictionary<string, ResourceQuantity>())
            {
                var quantityPath = FieldPath.Key(FieldPath.Child(path, field), name);
                if (!ResourceNames.Contains(name, StringComparer.Ordinal))
                {
                    errors.Add(FieldError.Forbidden(quantityPath, SupportedFields.NotSupportedDetail));
                }
                else if (QuantityProblem(name, quantity, out var amount) is { } problem)
                {
                    errors.Add(FieldError.Invalid(quantityPath, amount?.ToString(CultureInfo.InvariantCulture) ?? quantity?.ToString() ?? "", problem));
                }
            }
        }
    }

    /// <summary>
    /// The Process runtime enforces <c>resources.limits</c> in a cgroup per container instance; where
    /// the gateway cannot make one (<paramref name="hostProblem"/> says why; null when it can), limits
    /// are refused by name rather than accepted and ignored. Requests alone are scheduling hints
    /// (there is no scheduler here) and are accepted everywhere. Pure: the host's answer is passed in.
    /// </summary>
    public static void ValidateProcessResources(V1PodSpec spec, string specPath, string? hostProblem, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (hostProblem is null)
        {
            return;
        }

        foreach (var (list, field) in new[] { (spec.InitContainers, "initContainers"), (spec.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i]?.Resources?.Limits is { Count: > 0 })
                {
                    errors.Add(FieldError.Forbidden($"{specPath}.{field}[{i}].resources.limits",
                        $"the Process runtime enforces limits in a cgroup per container and needs cgroups the gateway can create "
                        + $"(run as root, or delegate a cgroup v2 subtree; here: {hostProblem}); remove the limits or use the Docker runtime"));
                }
            }
        }
    }

    // What the runtimes can apply: a non-negative amount (as the API server requires) that fits the
    // engine's integers (bytes of memory, nano-CPUs).
    // (ResourceQuantity prints a negative amount oddly, so messages show the decimal.)
    private static string? QuantityProblem(string name, ResourceQuantity? quantity, out decimal? amount)
    {
        try
        {
            amount = quantity?.ToDecimal() ?? 0;
        }
        catch (OverflowException)
        {
            amount = null;
        }

        if (amount < 0)
        {
            return "must be greater than or equal to 0";
        }

        return name == "cpu"
            ? amount is null or > MaxCpu ? $"must be no more than {MaxCpu} CPUs" : null
            : amount is null or > long.MaxValue ? "must be no more than 8Ei (bytes)" : null;
    }

    private static void ValidateLifecycle(V1Lifecycle lifecycle, string path, DeclaredPorts ports, long gracePeriodSeconds, List<FieldError> errors)
    {
        SupportedFields.Report(lifecycle, path, errors);
        foreach (var (name, hook) in new[] { ("postStart", lifecycle.PostStart), ("preStop", lifecycle.PreStop) })
        {
            if (hook is null)
            {
                continue;
            }

            var hookPath = FieldPath.Child(path, name);
            var unsupported = SupportedFields.Report(hook, hookPath, errors);
            HandlerValidator.Validate(
                hookPath,
                [("exec", hook.Exec), ("httpGet", hook.HttpGet), ("sleep", hook.Sleep)],
                unsupportedHandlerSet: unsupported > 0,
                ports,
                gracePeriodSeconds,
                errors);
        }
    }
}
