using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// Translates a Compose Specification file (<c>compose.yaml</c>, <c>docker-compose.yaml</c>) to the
/// gateway's service settings: one service per compose service, one container in its pod template.
/// What compose means and the gateway cannot honour is refused by its field path with the fix
/// (<see cref="ComposeFields"/>), never dropped.
/// </summary>
internal static class ComposeTranslator
{
    private static readonly HashSet<string> TopLevel = ["version", "name", "services", .. ComposeFields.RefusedTopLevel.Keys];

    private static readonly HashSet<string> Mapped =
    [
        "image", "command", "entrypoint", "environment", "env_file", "working_dir", "ports", "expose", "restart",
        "healthcheck", "depends_on", "deploy", "scale", "labels", "stop_grace_period", "pull_policy", "volumes",
    ];

    /// <param name="root">The file's root mapping.</param>
    /// <param name="directory">The compose file's folder: <c>env_file</c> paths are relative to it.</param>
    /// <param name="files">Every file read is added (watched for changes).</param>
    public static List<TranslatedService> Translate(YamlTree root, string directory, ComposeOptions options, List<string> files)
    {
        var errors = root.Errors;
        foreach (var (key, value) in root.Entries())
        {
            if (key.StartsWith("x-", StringComparison.Ordinal) || key is "version" or "name" or "services")
            {
                continue;
            }

            if (ComposeFields.RefusedTopLevel.TryGetValue(key, out var why))
            {
                if (!value.IsNull && (value.IsScalar || value.Entries().Any() || value.Items().Any()))
                {
                    errors.Add(NotSupported(value.Path, why));
                }
            }
            else
            {
                errors.Add(Unknown(value.Path, TopLevel));
            }
        }

        var services = root.Child("services");
        if (!services.IsMapping || !services.Entries().Any())
        {
            errors.Add(FieldError.Required(services.Path, "a compose file lists its services under services:"));
            return [];
        }

        var entries = services.Entries().ToList();
        var names = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var jobs = JobNames(entries);
        var result = new List<TranslatedService>();
        foreach (var (name, service) in entries)
        {
            if (NameProblem(name, options) is { } problem)
            {
                errors.Add(FieldError.Invalid(service.Path, name, problem));
                continue;
            }

            if (!service.ExpectMapping())
            {
                continue;
            }

            var before = errors.Count;
            var settings = Service(name, service, services, directory, options, names, jobs.Contains(name), files);
            if (errors.Count == before)
            {
                result.Add(new TranslatedService(options.ServiceName(name), settings));
            }
        }

        return result;
    }

    /// <summary>Why <paramref name="name"/> cannot name a gateway service and its container; null when it can.</summary>
    public static string? NameProblem(string name, ComposeOptions options) =>
        NameRules.Dns1123Label(options.ServiceName(name)).Count == 0 && NameRules.Dns1123Label(name).Count == 0
            ? null
            : "the gateway names a service and its pods after it: use a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit"
              + (options.Prefix.Length > 0 ? $", at most 63 characters with the prefix \"{options.Prefix}-\")" : ", at most 63 characters)");

    // The services another waits for with service_completed_successfully: they run to completion, as a Job.
    private static HashSet<string> JobNames(List<(string Key, YamlTree Value)> services)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, service) in services)
        {
            foreach (var (target, dependency) in service.Child("depends_on").Entries())
            {
                if (dependency.Child("condition").Node is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "service_completed_successfully" })
                {
                    jobs.Add(target);
                }
            }
        }

        return jobs;
    }

    private static JsonObject Service(string name, YamlTree service, YamlTree services, string directory, ComposeOptions options, HashSet<string> names, bool isJob, List<string> files)
    {
        var errors = service.Errors;
        foreach (var (key, value) in service.Entries())
        {
            if (Mapped.Contains(key) || ComposeFields.Ignored.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            errors.Add(ComposeFields.Refused.TryGetValue(key, out var why)
                ? NotSupported(value.Path, why)
                : Unknown(value.Path, [.. Mapped, .. ComposeFields.Ignored, .. ComposeFields.Refused.Keys]));
        }

        var container = new JsonObject { ["name"] = name };
        if (service.Child("image").Scalar() is { Length: > 0 } image)
        {
            container["image"] = image;
        }
        else if (options.Runtime == RuntimeKind.Docker)
        {
            errors.Add(FieldError.Required(FieldPath.Child(service.Path, "image"), "the Docker runtime runs an image; name one (e.g. \"busybox\")"));
        }

        Command(service, options.Runtime, container);
        if (service.Child("working_dir").Scalar() is { Length: > 0 } workingDir)
        {
            container["workingDir"] = workingDir;
        }

        var env = ComposeEnvironment.Read(service, directory, options.Environment, files);
        if (env.Count > 0)
        {
            container["env"] = SettingsJson.Env(env);
        }

        var published = ComposePorts.Read(service, container);
        if (ComposeHealthcheck.Read(service.Child("healthcheck")) is { } probe)
        {
            container["readinessProbe"] = probe;
        }

        var spec = new JsonObject();
        var (restartPolicy, backoffLimit) = Restart(service, isJob);
        if (restartPolicy is not null)
        {
            spec["restartPolicy"] = restartPolicy;
        }

        if (service.Child("stop_grace_period").Duration() is { } grace)
        {
            spec["terminationGracePeriodSeconds"] = ComposeDuration.Seconds(grace, min: 0);
        }

        spec["containers"] = new JsonArray(container);
        if (ComposeVolumes.Read(service, directory, container) is { } volumes)
        {
            spec["volumes"] = volumes;
        }

        if (PullPolicy(service.Child("pull_policy")) is { } pullPolicy)
        {
            container["imagePullPolicy"] = pullPolicy;
        }

        var replicas = Replicas(service);
        if (isJob && replicas is > 1)
        {
            errors.Add(FieldError.Invalid(FieldPath.Child(service.Path, "deploy.replicas"), replicas, "another service waits for this one to complete (service_completed_successfully): it runs once, as a Job; remove replicas"));
        }

        var labels = Labels(service.Child("labels"));
        var metadata = labels.Count > 0 ? new JsonObject { ["annotations"] = labels } : null;
        var dependsOn = DependsOn(service.Child("depends_on"), options, names, services);
        var job = isJob ? new JsonObject() : null;
        if (job is not null && backoffLimit is { } limit)
        {
            job["BackoffLimit"] = limit;
        }

        return SettingsJson.Service(options.Runtime, isJob ? null : replicas, SettingsJson.Hosts(options.ServiceName(name), published), dependsOn, job, metadata, spec);
    }

    // compose's entrypoint is Kubernetes' command and its command is args; with no image to take an
    // entrypoint from, the Process runtime runs compose's command itself.
    private static void Command(YamlTree service, RuntimeKind runtime, JsonObject container)
    {
        var entrypoint = Words(service.Child("entrypoint"));
        var command = Words(service.Child("command"));
        if (entrypoint is { Count: > 0 })
        {
            container["command"] = SettingsJson.Strings(entrypoint.Select(SettingsJson.Literal));
            if (command is { Count: > 0 })
            {
                container["args"] = SettingsJson.Strings(command.Select(SettingsJson.Literal));
            }
        }
        else if (command is { Count: > 0 })
        {
            container[runtime == RuntimeKind.Process ? "command" : "args"] = SettingsJson.Strings(command.Select(SettingsJson.Literal));
        }
        else if (runtime == RuntimeKind.Process)
        {
            service.Errors.Add(FieldError.Required(FieldPath.Child(service.Path, "command"),
                "the Process runtime runs a program on this host, not the image: set command (or entrypoint), or run the file on the Docker runtime"));
        }
    }

    /// <summary>A command as a list, or as one string split as a shell would (without expanding anything).</summary>
    public static List<string>? Words(YamlTree field)
    {
        if (field.IsSequence)
        {
            return field.StringOrList();
        }

        if (field.Scalar() is not { } text)
        {
            return null;
        }

        if (ShellWords.Split(text) is { } words)
        {
            return words;
        }

        field.Errors.Add(FieldError.Invalid(field.Path, text, "a quote is not closed"));
        return null;
    }

    // restart (or deploy.restart_policy) as the pod's restartPolicy; a Job takes only "no" and "on-failure[:N]".
    private static (string? Policy, int? BackoffLimit) Restart(YamlTree service, bool isJob)
    {
        var errors = service.Errors;
        var restart = service.Child("restart");
        var policy = service.Child("deploy").Child("restart_policy");
        string? value = null;
        int? attempts = null;
        var path = restart.Path;
        if (!policy.IsNull)
        {
            if (!restart.IsNull)
            {
                errors.Add(FieldError.InvalidOmitValue(policy.Path, "restart is set too: set one of restart and deploy.restart_policy"));
                return (null, null);
            }

            path = FieldPath.Child(policy.Path, "condition");
            foreach (var (key, field) in policy.Entries().Where(e => e.Key is not ("condition" or "max_attempts")))
            {
                errors.Add(NotSupported(field.Path, "the gateway restarts with a growing back-off (10s doubling to 5m, as the kubelet); remove it"));
            }

            var condition = policy.Child("condition").Scalar() ?? "any";
            value = condition switch { "none" => "no", "on-failure" => "on-failure", "any" => "always", _ => null };
            if (value is null)
            {
                errors.Add(FieldError.NotSupported(path, condition, ["none", "on-failure", "any"]));
                return (null, null);
            }

            attempts = (int?)policy.Child("max_attempts").Integer(0, int.MaxValue);
        }
        else if (restart.Scalar() is { } text)
        {
            value = text;
            if (text.StartsWith("on-failure:", StringComparison.Ordinal))
            {
                value = "on-failure";
                if (!int.TryParse(text["on-failure:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    errors.Add(FieldError.Invalid(path, text, "on-failure's count is a whole number: \"on-failure:3\""));
                    return (null, null);
                }

                attempts = n;
            }
        }

        if (value is null)
        {
            // compose's default is "no"; a Job must not restart, a service is kept running (the gateway's default, Always).
            return (isJob ? "Never" : null, null);
        }

        var result = value switch
        {
            "no" => "Never",
            "always" or "unless-stopped" => "Always",
            "on-failure" => "OnFailure",
            _ => null,
        };
        if (result is null)
        {
            errors.Add(FieldError.NotSupported(path, value, ["no", "always", "on-failure", "on-failure:N", "unless-stopped"]));
            return (null, null);
        }

        if (isJob && result == "Always")
        {
            errors.Add(FieldError.Invalid(path, value, "another service waits for this one to complete (service_completed_successfully), which a service always restarted never does: use \"no\" or \"on-failure\""));
        }
        else if (!isJob && attempts is not null)
        {
            errors.Add(FieldError.Invalid(path, restart.IsNull ? attempts : restart.Scalar(),
                "a count of restarts is kept only for a service another waits for with service_completed_successfully (a Job's backoffLimit); the gateway restarts others with a growing back-off: drop the count"));
        }

        return (result, attempts);
    }

    private static string? PullPolicy(YamlTree field)
    {
        if (field.Scalar() is not { } text)
        {
            return null;
        }

        switch (text)
        {
            case "always":
                return "Always";
            case "never":
                return "Never";
            case "missing" or "if_not_present":
                return "IfNotPresent";
            case "build":
                field.Errors.Add(NotSupported(field.Path, "the gateway does not build images: build it first and use \"missing\""));
                return null;
            default:
                field.Errors.Add(FieldError.NotSupported(field.Path, text, ["always", "never", "missing", "if_not_present"]));
                return null;
        }
    }

    // deploy.replicas, or the older scale; deploy's other fields are Swarm's.
    private static int? Replicas(YamlTree service)
    {
        var deploy = service.Child("deploy");
        deploy.ExpectMapping();
        foreach (var (key, field) in deploy.Entries())
        {
            switch (key)
            {
                case "replicas" or "restart_policy":
                    break;
                case "mode" when field.Scalar() is null or "replicated":
                    break;
                case "mode":
                    field.Errors.Add(NotSupported(field.Path, "one machine has one node: \"global\" is one replica; use \"replicated\""));
                    break;
                case "resources":
                    field.Errors.Add(NotSupported(field.Path, "not translated; after `gateway convert`, set resources.limits and requests in the container of the Template"));
                    break;
                case "labels" or "endpoint_mode" or "placement" or "update_config" or "rollback_config":
                    field.Errors.Add(NotSupported(field.Path, "a Swarm setting the gateway has no counterpart for (its rollout is set by Strategy); remove it"));
                    break;
                default:
                    field.Errors.Add(Unknown(field.Path, ["replicas", "mode", "restart_policy", "resources", "labels", "endpoint_mode", "placement", "update_config", "rollback_config"]));
                    break;
            }
        }

        var replicas = (int?)deploy.Child("replicas").Integer(0, int.MaxValue);
        var scale = (int?)service.Child("scale").Integer(0, int.MaxValue);
        if (replicas is not null && scale is not null && replicas != scale)
        {
            service.Errors.Add(FieldError.Invalid(FieldPath.Child(service.Path, "scale"), scale, $"deploy.replicas is {replicas}: set one of them"));
        }

        return replicas ?? scale;
    }

    // Compose labels are a container's metadata: the pod's annotations take any value (labels' values may not hold spaces).
    private static JsonObject Labels(YamlTree field)
    {
        var labels = new JsonObject();
        if (field.IsSequence)
        {
            foreach (var item in field.Items())
            {
                if (item.Scalar() is { } text)
                {
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    labels[equals < 0 ? text : text[..equals]] = equals < 0 ? "" : text[(equals + 1)..];
                }
            }
        }
        else if (field.ExpectMapping())
        {
            foreach (var (key, value) in field.Entries())
            {
                labels[key] = value.Scalar() ?? "";
            }
        }

        return labels;
    }

    private static JsonObject DependsOn(YamlTree field, ComposeOptions options, HashSet<string> names, YamlTree services)
    {
        var dependsOn = new JsonObject();
        var errors = field.Errors;
        IEnumerable<(string Name, YamlTree? Long, string Path)> targets = field.IsSequence
            ? field.Items().Select(i => (i.Scalar() ?? "", (YamlTree?)null, i.Path))
            : field.ExpectMapping() ? field.Entries().Select(e => (e.Key, (YamlTree?)e.Value, e.Value.Path)) : [];
        foreach (var (name, @long, path) in targets)
        {
            if (!names.Contains(name))
            {
                errors.Add(new FieldError(path, FieldError.NotFoundType, GoSyntax.Quote(name), "no service of that name in this file"));
                continue;
            }

            var condition = "Started";
            var propagate = false;
            if (@long is not null && @long.ExpectMapping())
            {
                foreach (var (key, value) in @long.Entries().Where(e => e.Key is not ("condition" or "restart" or "required")))
                {
                    errors.Add(Unknown(value.Path, ["condition", "restart", "required"]));
                }

                var conditionField = @long.Child("condition");
                var text = conditionField.Scalar() ?? "service_started";
                switch (text)
                {
                    case "service_started":
                        break;
                    case "service_healthy":
                        condition = "Ready";
                        if (services.Child(name).Child("healthcheck") is var check && (check.IsNull || IsDisabled(check)))
                        {
                            errors.Add(FieldError.Invalid(conditionField.Path, text,
                                $"service {GoSyntax.Quote(name)} has no healthcheck (an image's own HEALTHCHECK is not read): add one to it, or use service_started"));
                        }

                        break;
                    case "service_completed_successfully":
                        condition = "Succeeded";
                        break;
                    default:
                        errors.Add(FieldError.NotSupported(conditionField.Path, text, ["service_started", "service_healthy", "service_completed_successfully"]));
                        break;
                }

                propagate = @long.Child("restart").Boolean() ?? false;
                if (@long.Child("required").Boolean() == false)
                {
                    errors.Add(NotSupported(@long.Child("required").Path, "the gateway waits for every dependency: remove the dependency, or required: false"));
                }
            }

            // compose's restart: true restarts this service when the dependency is restarted: Propagate Restart.
            dependsOn[options.ServiceName(name)] = propagate
                ? new JsonObject { ["Condition"] = condition, ["Propagate"] = "Restart" }
                : condition;
        }

        return dependsOn;
    }

    private static bool IsDisabled(YamlTree healthcheck) =>
        healthcheck.Child("disable").Node is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "true" }
        || (healthcheck.Child("test").Items().FirstOrDefault()?.Node as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value == "NONE";

    /// <summary>A field the gateway cannot honour: <c>services.web.build: Forbidden: not supported by the gateway: ...</c>.</summary>
    public static FieldError NotSupported(string path, string why) => FieldError.Forbidden(path, $"not supported by the gateway: {why}");

    /// <summary>A field that is not in the format at all, with the nearest known one.</summary>
    public static FieldError Unknown(string path, IReadOnlyCollection<string> known)
    {
        var key = path[(path.LastIndexOf('.') + 1)..];
        return FieldError.Forbidden(path, FieldNames.UnknownDetail(key, known, "check its spelling against the Compose Specification"));
    }
}
