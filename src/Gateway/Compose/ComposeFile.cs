using Gateway.Specs;
using YamlDotNet.RepresentationModel;

namespace Gateway.Compose;

/// <summary>
/// Reads a compose file and translates it: a Compose Specification file (<c>services:</c>) or a
/// Process Compose file (<c>processes:</c>), told apart by their top-level key. Variables come from
/// the environment, then from the <c>.env</c> file beside it, as compose reads them.
/// </summary>
internal static class ComposeFile
{
    /// <summary>The translation, or null with the reasons in <paramref name="errors"/>.</summary>
    /// <param name="file">The file's full path.</param>
    /// <param name="root">The path errors of the file's fields start from: empty (<c>services.web.build</c>) or a setting's (<c>Gateway:Services:shop:Compose(compose.yaml)</c>).</param>
    /// <param name="display">How errors of the file as a whole name it.</param>
    public static Translation? Translate(string file, string root, string display, ComposeOptions options, List<FieldError> errors)
    {
        var files = new List<string> { file };
        var text = ManifestFile.Read(file, out var problem);
        if (text is null)
        {
            errors.Add(new FieldError(display, problem!.Value.Type, null, problem.Value.Detail));
            return null;
        }

        if (ManifestFile.TooDeep(text) is { } line)
        {
            errors.Add(FieldError.InvalidOmitValue(display, $"line {line}: lists and objects nest deeper than {ManifestFile.MaxFlowDepth}"));
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add(FieldError.InvalidOmitValue(display, $"line {e.Start.Line}, column {e.Start.Column}: {string.Join(' ', e.Message.Split(' ', StringSplitOptions.RemoveEmptyEntries))}"));
            return null;
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode)
        {
            errors.Add(FieldError.InvalidOmitValue(display, "must be one YAML document, an object with services: (a compose file) or processes: (a Process Compose file)"));
            return null;
        }

        var directory = Path.GetDirectoryName(file)!;
        var dotEnv = DotEnvVariables(directory, files, errors, display);
        var context = new YamlContext(errors, name => options.Environment(name) ?? dotEnv.GetValueOrDefault(name));
        var tree = new YamlTree(stream.Documents[0].RootNode, root, context);
        var resolved = options with { Environment = context.Variable };
        var before = errors.Count;
        var services = tree.Entries().Any(e => e.Key == "processes")
            ? ProcessComposeTranslator.Translate(tree, resolved)
            : ComposeTranslator.Translate(tree, directory, resolved, files);
        return errors.Count == before ? new Translation(services, files) : null;
    }

    // compose's .env beside the file: its variables for ${VAR}, under the environment's.
    private static Dictionary<string, string> DotEnvVariables(string directory, List<string> files, List<FieldError> errors, string display)
    {
        var path = Path.Combine(directory, ".env");
        if (!File.Exists(path) || ManifestFile.Read(path, out _) is not { } text)
        {
            return [];
        }

        files.Add(path);
        var problems = new List<string>();
        var variables = DotEnv.Parse(text, problems).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        errors.AddRange(problems.Select(p => FieldError.InvalidOmitValue($"{display}(.env)", p)));
        return variables;
    }
}
