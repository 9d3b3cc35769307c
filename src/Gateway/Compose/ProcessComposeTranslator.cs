using System.Text.Json.Nodes;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// Translates a Process Compose file (<c>process-compose.yaml</c>: <c>processes:</c> with a shell
/// <c>command</c> each) to the gateway's service settings on the Process runtime. Its probes are
/// Kubernetes' already (<c>http_get</c>, <c>exec</c>, the same thresholds) and map one to one; a
/// port an <c>http_get</c> probe names becomes the container's port, so the program is reached (and
/// probed) on the port the gateway gives it in <c>$PORT</c>.
/// </summary>
internal static class ProcessComposeTranslator
{
    private static readonly string[] TopLevel = ["version", "processes", "environment", "shell", "log_location", "log_level", "log_length", "log_configuration", "log_rotation", "is_strict", "is_tui_disabled", "ordered_shutdown", "disable_env_expansion"];
    private static readonly HashSet<string> TopLevelIgnored = ["version", "log_location", "log_level", "log_length", "log_configuration", "log_rotation", "is_strict", "is_tui_disabled", "ordered_shutdown", "disable_env_expansion"];
    private static readonly string[] ProcessKeys = ["command", "working_dir", "environment", "availability", "depends_on", "readiness_probe", "liveness_probe", "replicas", "shutdown", "description", "namespace", "log_location", "disable_ansi_colors", "is_tty", "disabled", "is_daemon", "ready_log_line", "launch_timeout_seconds", "is_elevated", "vars", "is_dotenv_disabled", "entrypoint"];
    private static readonly HashSet<string> Ignored = ["description", "namespace", "log_location", "disable_ansi_colors", "is_tty"];
    private static readonly string[] ProbeKeys = ["http_get", "exec", "initial_delay_seconds", "period_seconds", "timeout_seconds", "success_threshold", "failure_threshold"];

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["disabled"] = "every process of the file runs; remove the process (or disabled)",
        ["is_daemon"] = "the gateway follows the process it starts: run the program in the foreground",
        ["ready_log_line"] = "the gateway tells readiness by a probe: write a readiness_probe and wait for it with process_healthy",
        ["launch_timeout_seconds"] = "only with is_daemon, which the gateway does not take; remove it",
        ["is_elevated"] = "the gateway does not run a service with elevated rights; remove it",
        ["vars"] = "templates ({{.VAR}}) are not expanded: write the values, or use ${VAR} from the environment",
        ["is_dotenv_disabled"] = "the .env file beside the file is always read; remove it",
        ["entrypoint"] = "write the whole command line in command",
    };

    public static List<TranslatedService> Translate(YamlTree root, ComposeOptions options)
    {
        var errors = root.Errors;
        foreach (var (key, value) in root.Entries().Where(e => !TopLevel.Contains(e.Key)))
        {
            errors.Add(ComposeTranslator.Unknown(value.Path, TopLevel));
        }

        var processes = root.Child("processes");
        if (!processes.IsMapping || !processes.Entries().Any())
        {
            errors.Add(FieldError.Required(processes.Path, "a compose file lists its services under services:, a Process Compose file its processes under processes:"));
            return [];
        }

        if (options.Runtime != RuntimeKind.Process)
        {
            errors.Add(FieldError.InvalidOmitValue(processes.Path, "a Process Compose file runs programs on this host, not images: use the Process runtime"));
            return [];
        }

        var shell = root.Child("shell");
        var shellCommand = shell.Child("shell_command").Scalar() ?? "bash";
        var shellArgument = shell.Child("shell_argument").Scalar() ?? "-c";
        var global = Environment(root.Child("environment"), options.Environment);
        var entries = processes.Entries().ToList();
        var names = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var jobs = entries.SelectMany(e => e.Value.Child("depends_on").Entries())
            .Where(d => d.Value.Child("condition").Node is YamlDotNet.RepresentationModel.YamlScalarNode { Value: "process_completed_successfully" })
            .Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var result = new List<TranslatedService>();
        foreach (var (name, process) in entries)
        {
            if (ComposeTranslator.NameProblem(name, options) is { } problem)
            {
                errors.Add(FieldError.Invalid(process.Path, name, problem));
                continue;
            }

            if (!process.ExpectMapping())
            {
                continue;
            }

            var before = errors.Count;
            var settings = Process(name, process, processes, [shellCommand, shellArgument], global, options, names, jobs.Contains(name));
            if (errors.Count == before)
            {
                result.Add(new TranslatedService(options.ServiceName(name), settings));
            }
        }

        return result;
    }

    private static JsonObject Process(string name, YamlTree process, YamlTree processes, string[] shell, List<KeyValuePair<string, string>> global, ComposeOptions options, HashSet<string> names, bool isJob)
    {
        var errors = process.Errors;
        foreach (var (key, value) in process.Entries())
        {
            if (Refused.TryGetValue(key, out var why))
            {
                errors.Add(ComposeTranslator.NotSupported(value.Path, why));
            }
            else if (!ProcessKeys.Contains(key))
            {
                errors.Add(ComposeTranslator.Unknown(value.Path, ProcessKeys));
            }
        }

        var container = new JsonObject { ["name"] = name };
        if (process.Child("command").Scalar() is { Length: > 0 } command)
        {
            container["command"] = SettingsJson.Strings([.. shell, SettingsJson.Literal(command)]);
        }
        else
        {
            errors.Add(FieldError.Required(process.Child("command").Path, "the command line the process runs"));
        }

        if (process.Child("working_dir").Scalar() is { Length: > 0 } workingDir)
        {
            container["workingDir"] = workingDir;
        }

        var env = new List<KeyValuePair<string, string>>(global);
        foreach (var variable in Environment(process.Child("environment"), options.Environment))
        {
            env.RemoveAll(v => v.Key == variable.Key);
            env.Add(variable);
        }

        if (env.Count > 0)
        {
            container["env"] = SettingsJson.Env(env);
        }

        var ports = new List<int>();
        if (Probe(process.Child("readiness_probe"), shell, ports) is { } readiness)
        {
            container["readinessProbe"] = readiness;
        }

        if (Probe(process.Child("liveness_probe"), shell, ports) is { } liveness)
        {
            container["livenessProbe"] = liveness;
        }

        if (ports.Count > 0)
        {
            container["ports"] = new JsonArray([.. ports.Distinct().Select(p => (JsonNode?)new JsonObject { ["containerPort"] = p })]);
        }

        var spec = new JsonObject();
        var (restartPolicy, backoffLimit) = Availability(process.Child("availability"), isJob);
        if (restartPolicy is not null)
        {
            spec["restartPolicy"] = restartPolicy;
        }

        if (Shutdown(process.Child("shutdown")) is { } grace)
        {
            spec["terminationGracePeriodSeconds"] = grace;
        }

        spec["containers"] = new JsonArray(container);
        var replicas = (int?)process.Child("replicas").Integer(0, int.MaxValue);
        if (isJob && replicas is > 1)
        {
            errors.Add(FieldError.Invalid(process.Child("replicas").Path, replicas, "another process waits for this one to complete (process_completed_successfully): it runs once, as a Job; remove replicas"));
        }

        var job = isJob ? new JsonObject() : null;
        if (job is not null && backoffLimit is { } limit)
        {
            job["BackoffLimit"] = limit;
        }

        return SettingsJson.Service(RuntimeKind.Process, isJob ? null : replicas, SettingsJson.Hosts(options.ServiceName(name), []), DependsOn(process.Child("depends_on"), options, names, processes), job, null, spec);
    }

    // environment: a list of NAME=value (a map is taken too).
    private static List<KeyValuePair<string, string>> Environment(YamlTree field, Func<string, string?> environment)
    {
        var variables = new List<KeyValuePair<string, string>>();
        var items = field.IsSequence
            ? field.Items().Select(i => i.Scalar()).OfType<string>().Select(t => t.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (t[..eq], (string?)t[(eq + 1)..]) : (t, environment(t)))
            : field.ExpectMapping() ? field.Entries().Select(e => (e.Key, e.Value.IsNull ? environment(e.Key) : e.Value.Scalar())) : [];
        foreach (var (name, value) in items.ToList())
        {
            variables.RemoveAll(v => v.Key == name);
            if (value is not null)
            {
                variables.Add(new(name, value));
            }
        }

        return variables;
    }

    private static JsonObject? Probe(YamlTree probe, string[] shell, List<int> ports)
    {
        if (probe.IsNull || !probe.ExpectMapping())
        {
            return null;
        }

        foreach (var (key, value) in probe.Entries().Where(e => !ProbeKeys.Contains(e.Key)))
        {
            probe.Errors.Add(ComposeTranslator.Unknown(value.Path, ProbeKeys));
        }

        JsonObject json;
        var http = probe.Child("http_get");
        var exec = probe.Child("exec");
        if (!http.IsNull && !exec.IsNull)
        {
            probe.Errors.Add(FieldError.Forbidden(exec.Path, "may not specify more than 1 handler type: http_get or exec"));
            return null;
        }

        if (!http.IsNull)
        {
            foreach (var (key, value) in http.Entries().Where(e => e.Key is not ("host" or "scheme" or "path" or "port")))
            {
                probe.Errors.Add(ComposeTranslator.Unknown(value.Path, ["host", "scheme", "path", "port"]));
            }

            if (http.Child("port").Integer(1, 65535) is not { } port)
            {
                probe.Errors.Add(FieldError.Required(http.Child("port").Path, "the port the process serves on (it is given the gateway's port for it in $PORT)"));
                return null;
            }

            ports.Add((int)port);
            var get = new JsonObject { ["path"] = http.Child("path").Scalar() ?? "/", ["port"] = (int)port };
            if (http.Child("scheme").Scalar() is { } scheme)
            {
                get["scheme"] = scheme.ToUpperInvariant();
            }

            if (http.Child("host").Scalar() is { } host && host is not ("127.0.0.1" or "localhost" or "::1" or "0.0.0.0"))
            {
                get["host"] = host;
            }

            json = new JsonObject { ["httpGet"] = get };
        }
        else if (!exec.IsNull)
        {
            foreach (var (key, value) in exec.Entries().Where(e => e.Key is not "command"))
            {
                probe.Errors.Add(key == "working_dir"
                    ? ComposeTranslator.NotSupported(value.Path, "an exec probe runs in the process's working_dir; write `cd DIR && ...` in the command")
                    : ComposeTranslator.Unknown(value.Path, ["command", "working_dir"]));
            }

            if (exec.Child("command").Scalar() is not { Length: > 0 } command)
            {
                probe.Errors.Add(FieldError.Required(exec.Child("command").Path, "the command line of the check"));
                return null;
            }

            json = SettingsJson.ExecProbe([.. shell, SettingsJson.Literal(command)]);
        }
        else
        {
            probe.Errors.Add(FieldError.Required(probe.Path, "must specify a handler type: http_get or exec"));
            return null;
        }

        foreach (var (key, field) in new[] { ("initialDelaySeconds", "initial_delay_seconds"), ("periodSeconds", "period_seconds"), ("timeoutSeconds", "timeout_seconds"), ("successThreshold", "success_threshold"), ("failureThreshold", "failure_threshold") })
        {
            if (probe.Child(field).Integer(0, int.MaxValue) is { } value)
            {
                json[key] = (int)value;
            }
        }

        return json;
    }

    private static (string? Policy, int? BackoffLimit) Availability(YamlTree availability, bool isJob)
    {
        if (availability.IsNull || !availability.ExpectMapping())
        {
            return (isJob ? "Never" : null, null);
        }

        foreach (var (key, value) in availability.Entries().Where(e => e.Key is not ("restart" or "max_restarts")))
        {
            availability.Errors.Add(key is "backoff_seconds" or "exit_on_end" or "exit_on_skipped"
                ? ComposeTranslator.NotSupported(value.Path, key == "backoff_seconds"
                    ? "the gateway restarts with a growing back-off (10s doubling to 5m, as the kubelet); remove it"
                    : "the gateway keeps running when a service ends; remove it")
                : ComposeTranslator.Unknown(value.Path, ["restart", "max_restarts", "backoff_seconds", "exit_on_end", "exit_on_skipped"]));
        }

        var restart = availability.Child("restart");
        var text = restart.Scalar();
        var policy = text switch
        {
            null => isJob ? "Never" : null,
            "no" => "Never",
            "always" => "Always",
            "on_failure" => "OnFailure",
            _ => "",
        };
        if (policy == "")
        {
            availability.Errors.Add(text == "exit_on_failure"
                ? ComposeTranslator.NotSupported(restart.Path, "the gateway keeps its other services running when one fails; use \"on_failure\"")
                : FieldError.NotSupported(restart.Path, text, ["no", "always", "on_failure"]));
            return (null, null);
        }

        var maxRestarts = (int?)availability.Child("max_restarts").Integer(0, int.MaxValue);
        if (isJob && policy == "Always")
        {
            availability.Errors.Add(FieldError.Invalid(restart.Path, text, "another process waits for this one to complete (process_completed_successfully), which a process always restarted never does: use \"no\" or \"on_failure\""));
        }
        else if (!isJob && maxRestarts is not null)
        {
            availability.Errors.Add(FieldError.Invalid(availability.Child("max_restarts").Path, maxRestarts,
                "a count of restarts is kept only for a process another waits for with process_completed_successfully (a Job's backoffLimit); the gateway restarts others with a growing back-off: remove it"));
        }

        return (policy, maxRestarts);
    }

    private static int? Shutdown(YamlTree shutdown)
    {
        if (shutdown.IsNull || !shutdown.ExpectMapping())
        {
            return null;
        }

        foreach (var (key, value) in shutdown.Entries().Where(e => e.Key is not "timeout_seconds" && !(e.Key == "signal" && e.Value.Scalar() == "15")))
        {
            shutdown.Errors.Add(key switch
            {
                "signal" => ComposeTranslator.NotSupported(value.Path, "the gateway stops a process with SIGTERM (15), then SIGKILL after timeout_seconds; make the program stop on SIGTERM"),
                "command" => ComposeTranslator.NotSupported(value.Path, "not translated; after `gateway convert`, write it as lifecycle.preStop exec in the Template"),
                "parent_only" => ComposeTranslator.NotSupported(value.Path, "the gateway signals the process group; remove it"),
                _ => ComposeTranslator.Unknown(value.Path, ["timeout_seconds", "signal", "command", "parent_only"]),
            });
        }

        return (int?)shutdown.Child("timeout_seconds").Integer(0, int.MaxValue);
    }

    private static JsonObject DependsOn(YamlTree field, ComposeOptions options, HashSet<string> names, YamlTree processes)
    {
        var dependsOn = new JsonObject();
        if (!field.ExpectMapping())
        {
            return dependsOn;
        }

        foreach (var (name, dependency) in field.Entries())
        {
            if (!names.Contains(name))
            {
                field.Errors.Add(new FieldError(dependency.Path, FieldError.NotFoundType, GoSyntax.Quote(name), "no process of that name in this file"));
                continue;
            }

            foreach (var (key, value) in dependency.Entries().Where(e => e.Key is not "condition"))
            {
                field.Errors.Add(ComposeTranslator.Unknown(value.Path, ["condition"]));
            }

            var conditionField = dependency.Child("condition");
            var text = conditionField.Scalar() ?? "process_started";
            string? condition = text switch
            {
                "process_started" => "Started",
                "process_healthy" => "Ready",
                "process_completed_successfully" => "Succeeded",
                _ => null,
            };
            if (condition is null)
            {
                field.Errors.Add(text switch
                {
                    "process_completed" => ComposeTranslator.NotSupported(conditionField.Path, "the gateway waits for a run to succeed: use process_completed_successfully"),
                    "process_log_ready" => ComposeTranslator.NotSupported(conditionField.Path, "the gateway tells readiness by a probe: give the process a readiness_probe and use process_healthy"),
                    _ => FieldError.NotSupported(conditionField.Path, text, ["process_started", "process_healthy", "process_completed_successfully"]),
                });
                continue;
            }

            if (condition == "Ready" && processes.Child(name).Child("readiness_probe").IsNull)
            {
                field.Errors.Add(FieldError.Invalid(conditionField.Path, text, $"process {GoSyntax.Quote(name)} has no readiness_probe: add one to it, or use process_started"));
                continue;
            }

            dependsOn[options.ServiceName(name)] = condition;
        }

        return dependsOn;
    }
}
