using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// A service's variables as compose gives them: its <c>env_file</c>s in order, then
/// <c>environment</c> over them (a list of <c>NAME=value</c> or a map). A name without a value takes
/// the variable from the gateway's environment, and is left out when it is unset, as compose does.
/// </summary>
internal static class ComposeEnvironment
{
    public static List<KeyValuePair<string, string>> Read(YamlTree service, string directory, Func<string, string?> environment, List<string> files)
    {
        var variables = new List<KeyValuePair<string, string>>();
        void Set(string name, string? value, string path)
        {
            if (NameRules.EnvVarName(name) is { Count: > 0 } problems || name.Length == 0)
            {
                service.Errors.Add(FieldError.Invalid(path, name, "a variable's name must be printable ASCII without '='"));
                return;
            }

            variables.RemoveAll(v => v.Key == name);
            if (value is not null)
            {
                variables.Add(new(name, value));
            }
        }

        foreach (var (file, path, required) in EnvFiles(service.Child("env_file")))
        {
            var full = Path.GetFullPath(Path.Combine(directory, file));
            var text = ManifestFile.Read(full, out var problem);
            if (text is null)
            {
                if (required || problem?.Type != FieldError.NotFoundType)
                {
                    files.Add(full);
                    service.Errors.Add(new FieldError(path, problem!.Value.Type, GoSyntax.Quote(file), problem.Value.Type == FieldError.NotFoundType ? "no such file; a relative path is relative to the compose file's folder" : problem.Value.Detail));
                }

                continue;
            }

            files.Add(full);
            var problems = new List<string>();
            foreach (var (name, value) in DotEnv.Parse(text, problems))
            {
                Set(name, value, path);
            }

            service.Errors.AddRange(problems.Select(p => FieldError.Invalid(path, file, p)));
        }

        var env = service.Child("environment");
        if (env.IsSequence)
        {
            foreach (var item in env.Items())
            {
                if (item.Scalar() is { } text)
                {
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    Set(equals < 0 ? text : text[..equals], equals < 0 ? environment(text) : text[(equals + 1)..], item.Path);
                }
            }
        }
        else if (env.ExpectMapping())
        {
            foreach (var (name, value) in env.Entries())
            {
                Set(name, value.IsNull ? environment(name) : value.Scalar(), value.Path);
            }
        }

        return variables;
    }

    // env_file: a path, a list of paths, or a list of { path, required, format }.
    private static IEnumerable<(string File, string Path, bool Required)> EnvFiles(YamlTree field)
    {
        if (field.IsNull)
        {
            yield break;
        }

        var items = field.IsSequence ? field.Items() : [field];
        foreach (var item in items)
        {
            if (item.IsMapping)
            {
                foreach (var (key, value) in item.Entries().Where(e => e.Key is not ("path" or "required" or "format")))
                {
                    item.Errors.Add(ComposeTranslator.Unknown(value.Path, ["path", "required", "format"]));
                }

                if (item.Child("format").Scalar() is { } format && format != "raw")
                {
                    item.Errors.Add(FieldError.NotSupported(item.Child("format").Path, format, ["raw"]));
                }

                if (item.Child("path").Scalar() is { Length: > 0 } path)
                {
                    yield return (path, item.Child("path").Path, item.Child("required").Boolean() ?? true);
                }
                else
                {
                    item.Errors.Add(FieldError.Required(item.Child("path").Path, "the env file's path"));
                }
            }
            else if (item.Scalar() is { Length: > 0 } path)
            {
                yield return (path, item.Path, true);
            }
        }
    }
}
