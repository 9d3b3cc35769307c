using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A service's <c>Manifest</c>: a Kubernetes YAML file of one or more documents (<c>---</c>), as
/// <c>kubectl apply -f</c> takes them: one Pod or Deployment, the ConfigMaps and Secrets its pods
/// read, and a Service in front. Read with YamlDotNet's parser first (so that a broken file is named
/// by its line) and then KubernetesClient's strict deserialiser, whose failures are told in the API
/// server's words. What a cluster adds (<c>status</c>, server-populated metadata) is ignored.
/// </summary>
internal static partial class ManifestLoader
{
    private const string WorkloadKinds = "a Pod, a Deployment or a Job";

    private static readonly string[] Kinds = ["Pod", "Deployment", "Job", "ConfigMap", "Secret", "Service"];

    /// <summary>The pod template of <paramref name="file"/>, or null with the reasons in <paramref name="errors"/>.</summary>
    /// <param name="path">The setting's path, <c>Gateway:Services:web:Manifest</c>: errors of the file as a whole.</param>
    /// <param name="manifestPath">The manifest's own fields' prefix, <c>Gateway:Services:web:Manifest(web.yaml)</c>.</param>
    /// <param name="replicas">The settings' Replicas, if set: a bare Pod is one pod, and a Deployment's replicas count only without it.</param>
    /// <param name="objects">Gets the file's ConfigMaps and Secrets.</param>
    public static PodTemplateSource? Load(string file, string path, string manifestPath, int? replicas, ConfigObjectsLoader objects, List<FieldError> errors)
    {
        if (Parse(file, path, manifestPath, errors) is not { } documents)
        {
            return null;
        }

        var workloads = documents.Where(d => d.Value is V1Pod or V1Deployment or V1Job).ToList();
        var services = documents.Where(d => d.Value is V1Service).ToList();
        if (workloads.Count == 0)
        {
            errors.Add(documents.Count == 0 || documents.All(d => d.Value is V1Service)
                ? FieldError.Required($"{manifestPath}.kind", $"a manifest holds {WorkloadKinds}; set kind: Pod or kind: Deployment")
                : FieldError.Required(path, $"{file} holds no Pod or Deployment: a service's manifest holds one, beside the ConfigMaps, Secrets and Service it uses"));
            return null;
        }

        if (workloads.Count > 1)
        {
            errors.Add(FieldError.Invalid(path, file, $"holds {workloads.Count} Pods or Deployments (lines {string.Join(", ", workloads.Select(d => d.Line))}); a service runs one: give each its own service"));
            return null;
        }

        if (services.Count > 1)
        {
            errors.Add(FieldError.Invalid(path, file, $"holds {services.Count} Services (lines {string.Join(", ", services.Select(d => d.Line))}); a service's route sends to one: keep one"));
        }

        foreach (var document in documents)
        {
            AddObject(document, manifestPath, objects, errors);
        }

        var source = workloads[0].Value switch
        {
            V1Pod pod => FromPod(pod, path, manifestPath, replicas, errors),
            V1Deployment deployment => FromDeployment(deployment, file, path, manifestPath, replicas, errors),
            V1Job job => JobLoader.FromManifest(job, file, path, manifestPath, replicas, errors),
            _ => null,
        };
        if (source is not null && services.Count == 1 && services[0].Value is V1Service service)
        {
            source = source with { RouteTarget = ServiceManifest.Validate(service, DocumentPath(manifestPath, "service", service.Metadata?.Name, services[0].Line), source.Template, errors) };
        }

        return source;
    }

    /// <summary>Reads a file of ConfigMaps and Secrets only (a service's <c>ConfigFiles</c>) into <paramref name="objects"/>.</summary>
    /// <param name="filePath">The file's fields' prefix, <c>Gateway:Services:web:ConfigFiles:0(config.yaml)</c>.</param>
    public static void LoadConfigFile(string file, string path, string filePath, ConfigObjectsLoader objects, List<FieldError> errors)
    {
        foreach (var document in Parse(file, path, filePath, errors) ?? [])
        {
            if (!AddObject(document, filePath, objects, errors))
            {
                errors.Add(new FieldError(path, FieldError.NotSupportedType, file, $"line {document.Line}: kind {GoSyntax.Quote(document.Kind)}: a ConfigFiles file holds ConfigMaps and Secrets; the pod goes in Manifest or Template"));
            }
        }
    }

    // A ConfigMap or Secret goes to the objects; false for any other kind.
    private static bool AddObject(Document document, string filePath, ConfigObjectsLoader objects, List<FieldError> errors)
    {
        switch (document.Value)
        {
            case V1ConfigMap configMap:
                objects.Add(configMap, DocumentPath(filePath, "configmap", configMap.Metadata?.Name, document.Line), errors);
                return true;
            case V1Secret secret:
                objects.Add(secret, DocumentPath(filePath, "secret", secret.Metadata?.Name, document.Line), errors);
                return true;
            default:
                return false;
        }
    }

    // kubectl's notation for an object: configmap/app-config; an object without a valid name by its line.
    private static string DocumentPath(string filePath, string resource, string? name, int line) =>
        name is { Length: > 0 } && NameRules.Dns1123Subdomain(name).Count == 0 ? $"{filePath}:{resource}/{name}" : $"{filePath}:{resource}(line {line})";

    private sealed record Document(string Kind, object Value, int Line);

    /// <summary>Every document of <paramref name="file"/> as its model, or null with the reasons in <paramref name="errors"/>.</summary>
    private static List<Document>? Parse(string file, string path, string manifestPath, List<FieldError> errors)
    {
        if (ManifestFile.Read(file, out var problem) is not { } text)
        {
            errors.Add(new FieldError(path, problem!.Value.Type, GoSyntax.Quote(file), problem.Value.Detail));
            return null;
        }

        if (text.Split('\n').All(line => line.Trim() is "" or "---" or "..." || line.TrimStart().StartsWith('#')))
        {
            errors.Add(FieldError.Invalid(path, file, "the file is empty; it must hold one Pod or Deployment"));
            return null;
        }

        if (ManifestFile.TooDeep(text) is { } deepLine)
        {
            errors.Add(FieldError.Invalid(path, file, $"line {deepLine}: lists and objects nest deeper than {ManifestFile.MaxFlowDepth} levels; a pod manifest needs far fewer"));
            return null;
        }

        try
        {
            if (SyntaxError(text) is { } syntax)
            {
                errors.Add(FieldError.Invalid(path, file, syntax));
                return null;
            }

            var documents = new List<Document>();
            var before = errors.Count;
            foreach (var (yaml, line) in ManifestDocuments.Split(text))
            {
                var kind = KubernetesYaml.Deserialize<KubernetesObject>(yaml)?.Kind ?? "";
                object? value = kind switch
                {
                    "Pod" => KubernetesYaml.Deserialize<V1Pod>(yaml, strict: true),
                    "Deployment" => KubernetesYaml.Deserialize<V1Deployment>(yaml, strict: true),
                    "Job" => KubernetesYaml.Deserialize<V1Job>(yaml, strict: true),
                    "ConfigMap" => KubernetesYaml.Deserialize<V1ConfigMap>(yaml, strict: true),
                    "Secret" => KubernetesYaml.Deserialize<V1Secret>(yaml, strict: true),
                    "Service" => KubernetesYaml.Deserialize<V1Service>(yaml, strict: true),
                    _ => null,
                };
                if (kind == "")
                {
                    errors.Add(FieldError.Required($"{manifestPath}.kind", $"a manifest holds {WorkloadKinds}; set kind: Pod or kind: Deployment{(line > 1 ? $" (the document at line {line})" : "")}"));
                }
                else if (value is null)
                {
                    errors.Add(new FieldError(path, FieldError.NotSupportedType, file, $"{(line > 1 ? $"line {line}: " : "")}kind {GoSyntax.Quote(kind)}: supported kinds: {string.Join(", ", Kinds.Select(GoSyntax.Quote))}"));
                }
                else
                {
                    documents.Add(new Document(kind, value, line));
                }
            }

            return errors.Count == before ? documents : null;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add(FieldError.Invalid(path, file, $"line {e.Start.Line}, column {e.Start.Column}: {Problem(e, text)}"));
            return null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            errors.Add(FieldError.Invalid(path, file, $"cannot be parsed: {e.Message}"));
            return null;
        }
    }

    private static PodTemplateSource? FromPod(V1Pod pod, string path, string manifestPath, int? replicas, List<FieldError> errors)
    {
        var name = pod.Metadata?.Name;
        var namePath = $"{manifestPath}.metadata.name";
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required(namePath, "a Pod manifest must name its pod"));
            return null;
        }

        // The pod's name becomes a folder name: nothing but a DNS subdomain ("../x" is not one).
        errors.AddInvalid(namePath, name, NameRules.Dns1123Subdomain(name));
        if (replicas is not null and not 1)
        {
            errors.Add(FieldError.Invalid(path, replicas, "a bare Pod manifest is one pod; remove Replicas or use a Deployment manifest"));
        }

        return new PodTemplateSource(new V1PodTemplateSpec { Metadata = pod.Metadata, Spec = pod.Spec }, manifestPath, name, replicas);
    }

    private static PodTemplateSource? FromDeployment(V1Deployment deployment, string file, string path, string manifestPath, int? replicas, List<FieldError> errors)
    {
        ManifestMetadata.ValidateUnnamed(deployment.Metadata, $"{manifestPath}.metadata", errors);
        var specPath = $"{manifestPath}.spec";
        if (deployment.Spec is { } spec)
        {
            SupportedFields.Report(spec, specPath, errors);
        }

        if (deployment.Spec?.Replicas is < 0)
        {
            errors.Add(FieldError.Invalid($"{specPath}.replicas", deployment.Spec.Replicas, "must be greater than or equal to 0"));
        }

        if (deployment.Spec?.Template is not { } template)
        {
            errors.Add(FieldError.Required(path, $"{file}: spec.template: a Deployment must carry a pod template"));
            return null;
        }

        ValidateSelector(deployment.Spec.Selector, $"{specPath}.selector", template, $"{specPath}.template.metadata.labels", errors);
        var rollout = Strategy(deployment.Spec.Strategy, $"{specPath}.strategy", errors);
        return new PodTemplateSource(template, $"{specPath}.template", PodName: null, replicas ?? deployment.Spec.Replicas) { Rollout = rollout };
    }

    // apps/v1's rule: the selector matches the template's labels (an empty one is the gateway's app label).
    private static void ValidateSelector(V1LabelSelector? selector, string path, V1PodTemplateSpec template, string labelsPath, List<FieldError> errors)
    {
        if (selector is null)
        {
            return;
        }

        SupportedFields.Report(selector, path, errors);
        var labels = template.Metadata?.Labels ?? new Dictionary<string, string>();
        if ((selector.MatchLabels ?? new Dictionary<string, string>()).Any(l => !labels.TryGetValue(l.Key, out var value) || value != l.Value))
        {
            errors.Add(new FieldError(labelsPath, FieldError.InvalidType, GoSyntax.Map(labels), "`selector` does not match template `labels`"));
        }
    }

    /// <summary>A Deployment's <c>strategy</c> as the service's rollout; null when it has none.</summary>
    private static RolloutSpec? Strategy(V1DeploymentStrategy? strategy, string path, List<FieldError> errors)
    {
        if (strategy is null)
        {
            return null;
        }

        SupportedFields.Report(strategy, path, errors);
        if (strategy.Type == "Recreate")
        {
            errors.Add(new FieldError($"{path}.type", FieldError.NotSupportedType, GoSyntax.Quote(strategy.Type),
                "supported values: \"RollingUpdate\"; the gateway replaces pods by a rolling update: for one that stops every old pod first, set rollingUpdate: {maxSurge: 0, maxUnavailable: 100%}"));
            return null;
        }

        errors.AddIfNotSupported($"{path}.type", strategy.Type, ["RollingUpdate"]);
        if (strategy.RollingUpdate is not { } rolling)
        {
            return null;
        }

        var rollingPath = $"{path}.rollingUpdate";
        SupportedFields.Report(rolling, rollingPath, errors);
        var rollout = RolloutSpec.Default;
        var before = errors.Count;
        if (rolling.MaxSurge?.Value is { Length: > 0 } surge && RolloutSpec.Problem(surge, unavailable: false) is { } surgeProblem)
        {
            errors.Add(FieldError.Invalid($"{rollingPath}.maxSurge", surge, surgeProblem));
        }
        else if (rolling.MaxSurge?.Value is { Length: > 0 } validSurge)
        {
            rollout = rollout with { MaxSurge = validSurge };
        }

        if (rolling.MaxUnavailable?.Value is { Length: > 0 } unavailable && RolloutSpec.Problem(unavailable, unavailable: true) is { } unavailableProblem)
        {
            errors.Add(FieldError.Invalid($"{rollingPath}.maxUnavailable", unavailable, unavailableProblem));
        }
        else if (rolling.MaxUnavailable?.Value is { Length: > 0 } validUnavailable)
        {
            rollout = rollout with { MaxUnavailable = validUnavailable };
        }

        if (errors.Count == before && rollout.CannotMove)
        {
            errors.Add(FieldError.Invalid($"{rollingPath}.maxUnavailable", rollout.MaxUnavailable, "may not be 0 when `maxSurge` is 0"));
        }

        return errors.Count == before ? rollout : null;
    }

    /// <summary>Where YamlDotNet's own parser finds the text broken, in words; null when the YAML is well-formed.</summary>
    /// <exception cref="YamlDotNet.Core.YamlException">The parser's error with its mark.</exception>
    private static string? SyntaxError(string text)
    {
        var scanner = new YamlDotNet.Core.Scanner(new StringReader(text));
        var parser = new YamlDotNet.Core.Parser(scanner);
        try
        {
            while (parser.MoveNext())
            {
            }

            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, without a mark, inside an unclosed flow list or object.
            var at = scanner.CurrentPosition;
            return $"line {at.Line}, column {at.Column}: the YAML is not well-formed here (an unclosed '[' or '{{' above?)";
        }
    }

    // YamlDotNet's message, in the API server's words where the case is known.
    private static string Problem(YamlDotNet.Core.YamlException e, string text)
    {
        var start = (int)Math.Clamp(e.Start.Index, 0, text.Length);
        var scalar = text[start..(int)Math.Clamp(e.End.Index, start, text.Length)].Trim().Trim('"', '\'');
        var message = e.InnerException?.Message ?? TrailingMark().Replace(e.Message, "");
        if (e.InnerException is OverflowException)
        {
            return $"Invalid value: {scalar}: out of range for the field's integer type";
        }

        // The message of the fractions library that parses a ResourceQuantity.
        if (e.InnerException is FormatException format && format.Message.Contains("converted to fraction", StringComparison.Ordinal))
        {
            return $"Invalid value: {GoSyntax.Quote(scalar)}: {string.Join("; ", NameRules.Quantity(scalar))}";
        }

        if (e.InnerException is FormatException notNumber && notNumber.Message.Contains("was not in a correct format", StringComparison.Ordinal))
        {
            return $"Invalid value: {GoSyntax.Quote(scalar)}: must be an integer";
        }

        if (UnknownProperty().Match(message) is { Success: true } unknown && typeof(V1Pod).Assembly.GetType(unknown.Groups[2].Value) is { } model)
        {
            var field = unknown.Groups[1].Value;
            return $"{GoSyntax.Quote(field)}: {FieldNames.UnknownDetail(field, ConfigurationJson.FieldNames(model), "check its spelling against the Kubernetes API reference")}";
        }

        if (WrongShape().Match(message) is { Success: true } shape)
        {
            return $"wrong type for this field: expected {(shape.Groups[1].Value == "System.String" ? "a single value" : "a " + shape.Groups[1].Value.Split('.')[^1])}";
        }

        // The base64 decoder's words, when a Secret's data is not base64.
        if (e.InnerException is FormatException base64 && base64.Message.Contains("Base-64", StringComparison.Ordinal))
        {
            return "Invalid value: a Secret's data values must be base64 (`echo -n value | base64`); put plain text under stringData instead";
        }

        if (ExpectedNode().Match(message) is { Success: true } node)
        {
            return $"wrong type for this field: expected {NodeKind(node.Groups[1].Value)}, found {NodeKind(node.Groups[2].Value)}";
        }

        return message;
    }

    private static string NodeKind(string yamlEvent) => yamlEvent switch
    {
        "SequenceStart" => "a list",
        "MappingStart" => "an object",
        "Scalar" => "a single value",
        _ => yamlEvent,
    };

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)\s*\.?$")]
    private static partial Regex TrailingMark();

    [GeneratedRegex(@"^No node deserializer was able to deserialize the node into type ([\w.]+),")]
    private static partial Regex WrongShape();

    [GeneratedRegex(@"^Expected '(\w+)', got '(\w+)'")]
    private static partial Regex ExpectedNode();

    [GeneratedRegex(@"^Property '(.+)' not found on type '(.+)'\.$")]
    private static partial Regex UnknownProperty();
}
