using Gateway.Specs;
using YamlDotNet.RepresentationModel;

namespace Gateway.Compose;

/// <summary>
/// One node of a compose file with its field path (<c>services.web.healthcheck.interval</c>), read
/// field by field as <see cref="SettingsSection"/> reads settings: a value of the wrong shape is a
/// <see cref="FieldError"/> and the read gives null. Merge keys (<c>&lt;&lt;: *defaults</c>, which
/// compose files use to share fields) are applied, and every scalar is interpolated.
/// </summary>
internal sealed class YamlTree(YamlNode? node, string path, YamlContext context)
{
    public string Path => path;

    public List<FieldError> Errors => context.Errors;

    /// <summary>Absent, or YAML's null (<c>~</c>, <c>null</c>, nothing).</summary>
    public bool IsNull => node is null || (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public bool IsMapping => node is YamlMappingNode;

    public bool IsSequence => node is YamlSequenceNode;

    public bool IsScalar => node is YamlScalarNode && !IsNull;

    public YamlTree Child(string key) => new(Entries().FirstOrDefault(e => e.Key == key).Value?.Node, FieldPath.Child(path, key), context);

    public YamlNode? Node => node;

    /// <summary>The mapping's entries in order, merge keys applied (the mapping's own keys win); empty for another shape.</summary>
    public IEnumerable<(string Key, YamlTree Value)> Entries()
    {
        if (node is not YamlMappingNode mapping)
        {
            return [];
        }

        var entries = new List<(string Key, YamlTree Value)>();
        foreach (var (key, value) in Merged(mapping))
        {
            if (entries.All(e => e.Key != key))
            {
                entries.Add((key, new YamlTree(value, FieldPath.Child(path, key), context)));
            }
        }

        return entries;
    }

    /// <summary>The sequence's items; empty for another shape.</summary>
    public IEnumerable<YamlTree> Items() =>
        node is YamlSequenceNode sequence ? sequence.Children.Select((item, i) => new YamlTree(item, FieldPath.Index(path, i), context)) : [];

    /// <summary>The scalar interpolated, or null when absent or null; a list or an object here is an error.</summary>
    public string? Scalar()
    {
        if (IsNull)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Errors.Add(FieldError.InvalidOmitValue(path, "must be a single value, not a list or an object"));
            return null;
        }

        return context.Interpolate(scalar.Value ?? "", path);
    }

    /// <summary>A mapping's check: an error for a value that is not one (null is taken as empty).</summary>
    public bool ExpectMapping()
    {
        if (IsNull || IsMapping)
        {
            return true;
        }

        Errors.Add(FieldError.InvalidOmitValue(path, "must be an object"));
        return false;
    }

    /// <summary>A string, or a list of strings (compose's "string or list" fields); null when absent.</summary>
    public List<string>? StringOrList()
    {
        if (IsNull)
        {
            return null;
        }

        if (IsSequence)
        {
            return [.. Items().Select(i => i.Scalar() ?? "")];
        }

        return Scalar() is { } one ? [one] : null;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; null when absent or wrong (and then an error says why).</summary>
    public long? Integer(long min, long max)
    {
        if (Scalar() is not { } text)
        {
            return null;
        }

        if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Errors.Add(FieldError.Invalid(path, text, $"must be a whole number from {min} to {max}"));
            return null;
        }

        return value;
    }

    /// <summary>true or false; null when absent or wrong.</summary>
    public bool? Boolean()
    {
        if (Scalar() is not { } text)
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "yes") return true;
        if (text is "false" or "False" or "FALSE" or "no") return false;
        Errors.Add(FieldError.Invalid(path, text, "must be true or false"));
        return null;
    }

    /// <summary>A compose duration (<c>1m30s</c>); null when absent or wrong.</summary>
    public TimeSpan? Duration()
    {
        if (Scalar() is not { } text)
        {
            return null;
        }

        if (ComposeDuration.Parse(text) is not { } value)
        {
            Errors.Add(FieldError.Invalid(path, text, ComposeDuration.Expected));
            return null;
        }

        return value;
    }

    private static IEnumerable<(string Key, YamlNode Value)> Merged(YamlMappingNode mapping)
    {
        var own = new List<(string, YamlNode)>();
        var merged = new List<(string, YamlNode)>();
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (name == "<<" && key is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain })
            {
                var sources = value is YamlSequenceNode list ? list.Children : [value];
                merged.AddRange(sources.OfType<YamlMappingNode>().SelectMany(Merged));
            }
            else
            {
                own.Add((name, value));
            }
        }

        return own.Concat(merged);
    }
}

/// <summary>What every node of one file shares: the errors and the variables <c>${VAR}</c> reads.</summary>
internal sealed class YamlContext(List<FieldError> errors, Func<string, string?> variables)
{
    public List<FieldError> Errors => errors;

    /// <summary>A variable's value, from the environment or the file's <c>.env</c>; null when unset.</summary>
    public string? Variable(string name) => variables(name);

    public string Interpolate(string text, string path) => ComposeInterpolation.Apply(text, variables, path, errors);
}
