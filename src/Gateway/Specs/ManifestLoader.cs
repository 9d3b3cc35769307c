using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// A service's <c>Manifest</c>: a Kubernetes YAML file holding one Pod or one Deployment, read with
/// YamlDotNet's parser first (so that a broken file is named by its line) and then KubernetesClient's
/// strict deserialiser, whose failures are told in the API server's words.
/// </summary>
internal static partial class ManifestLoader
{
    /// <summary>The pod template of <paramref name="file"/>, or null with the reasons in <paramref name="errors"/>.</summary>
    /// <param name="path">The setting's path, <c>Gateway:Services:web:Manifest</c>: errors of the file as a whole.</param>
    /// <param name="manifestPath">The manifest's own fields' prefix, <c>Gateway:Services:web:Manifest(web.yaml)</c>.</param>
    /// <param name="replicas">The settings' Replicas, if set: a bare Pod is one pod, and a Deployment's replicas count only without it.</param>
    public static PodTemplateSource? Load(string file, string path, string manifestPath, int? replicas, List<FieldError> errors)
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

            var kind = KindLine().Match(text) is { Success: true } match ? match.Groups[1].Value.Trim('"', '\'') : "";
            switch (kind)
            {
                case "Pod":
                    return FromPod(KubernetesYaml.Deserialize<V1Pod>(text, strict: true), path, manifestPath, replicas, errors);
                case "Deployment":
                    return FromDeployment(KubernetesYaml.Deserialize<V1Deployment>(text, strict: true), file, path, manifestPath, replicas, errors);
                case "":
                    errors.Add(FieldError.Required($"{manifestPath}.kind", "a manifest holds a Pod or a Deployment; set kind: Pod or kind: Deployment"));
                    return null;
                default:
                    errors.Add(new FieldError(path, FieldError.NotSupportedType, file, $"kind {GoSyntax.Quote(kind)}: supported kinds: \"Pod\", \"Deployment\""));
                    return null;
            }
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
        if (deployment.Spec?.Replicas is < 0)
        {
            errors.Add(FieldError.Invalid($"{manifestPath}.spec.replicas", deployment.Spec.Replicas, "must be greater than or equal to 0"));
        }

        if (deployment.Spec?.Template is not { } template)
        {
            errors.Add(FieldError.Required(path, $"{file}: spec.template: a Deployment must carry a pod template"));
            return null;
        }

        return new PodTemplateSource(template, $"{manifestPath}.spec.template", PodName: null, replicas ?? deployment.Spec.Replicas);
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

        if (message.Contains("got 'DocumentStart'", StringComparison.Ordinal))
        {
            return "the file holds more than one YAML document ('---'); a manifest holds one Pod or Deployment";
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

    [GeneratedRegex(@"^kind:\s*(\S+?)\s*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)\s*\.?$")]
    private static partial Regex TrailingMark();

    [GeneratedRegex(@"^No node deserializer was able to deserialize the node into type ([\w.]+),")]
    private static partial Regex WrongShape();

    [GeneratedRegex(@"^Expected '(\w+)', got '(\w+)'")]
    private static partial Regex ExpectedNode();

    [GeneratedRegex(@"^Property '(.+)' not found on type '(.+)'\.$")]
    private static partial Regex UnknownProperty();
}
