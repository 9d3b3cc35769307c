using System.Globalization;

namespace Gateway.Specs;

/// <summary>
/// One section of the <c>Gateway:*</c> settings and its path (<c>Gateway:Services:web</c>), read field
/// by field. Each read checks the shape and the range of what it reads: what is wrong becomes a
/// <see cref="FieldError"/> in <see cref="Errors"/>, which every section of one load shares, and the
/// read gives null (or nothing) instead of a value.
/// </summary>
internal sealed class SettingsSection(IConfigurationSection configuration, string path, List<FieldError> errors)
{
    /// <summary>The detail for an object or a list where a single value belongs.</summary>
    public const string SingleValueDetail = "must be a single value, not an object or a list";

    public IConfigurationSection Configuration => configuration;

    public string Path => path;

    public List<FieldError> Errors => errors;

    public string Key => configuration.Key;

    /// <summary>The section's own value: set when the settings give a single value where an object belongs.</summary>
    public string? Value => configuration.Value;

    /// <summary>Whether the section holds fields (an object or a list).</summary>
    public bool HasChildren => configuration.GetChildren().Any();

    public string PathOf(string key) => $"{path}:{key}";

    public bool Has(string key) => configuration.GetSection(key).Exists();

    /// <summary>Whether <paramref name="key"/> is written at all, even as an empty object (<c>{}</c>, which <see cref="Has"/> does not see).</summary>
    public bool HasKey(string key) => configuration.GetChildren().Any(c => c.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<SettingsSection> Children() =>
        configuration.GetChildren().Select(child => new SettingsSection(child, PathOf(child.Key), errors));

    /// <summary>Every key outside <paramref name="known"/> (compared ignoring case) is an error naming the nearest known one.</summary>
    public void RefuseUnknownKeys(IReadOnlyCollection<string> known)
    {
        foreach (var child in configuration.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(FieldNames.UnknownKey(path, child.Key, known));
            }
        }
    }

    /// <summary>The object <paramref name="key"/>; a single value there is an error, and so is a key outside <paramref name="known"/> (null: not checked here).</summary>
    public SettingsSection Object(string key, string[]? known)
    {
        var section = new SettingsSection(configuration.GetSection(key), PathOf(key), errors);
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add(FieldError.Invalid(section.Path, value, known is null ? "must be an object" : $"must be an object with the fields {string.Join(", ", known)}"));
        }

        if (known is not null)
        {
            section.RefuseUnknownKeys(known);
        }

        return section;
    }

    /// <summary>The single value of <paramref name="key"/>; an object or a list there is an error.</summary>
    public string? Scalar(string key)
    {
        var section = configuration.GetSection(key);
        if (section.GetChildren().Any())
        {
            errors.Add(FieldError.InvalidOmitValue(PathOf(key), SingleValueDetail));
            return null;
        }

        return section.Value;
    }

    /// <summary>
    /// A list of strings, or one string standing for a list of one (at <c>key:0</c>), each with its
    /// path for messages; empty items are left out.
    /// </summary>
    public List<(string Path, string Text)> Strings(string key)
    {
        var list = new SettingsSection(configuration.GetSection(key), PathOf(key), errors);
        if (list.Value is { Length: > 0 } single)
        {
            return [(list.PathOf("0"), single)];
        }

        var items = new List<(string, string)>();
        foreach (var child in list.Configuration.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(FieldError.InvalidOmitValue(list.Path, $"must be a list of strings, found the key {GoSyntax.Quote(child.Key)}"));
                return [];
            }

            if (list.Scalar(child.Key) is { Length: > 0 } item)
            {
                items.Add((list.PathOf(child.Key), item));
            }
        }

        return items;
    }

    public long? Integer(string key, long min, long max) =>
        Parsed(key, (string field, string text, out long value) => NumberField.Integer(field, text, min, max, out value));

    public double? Real(string key, double min, double max) =>
        Parsed(key, (string field, string text, out double value) => NumberField.Real(field, text, min, max, out value));

    public bool? Boolean(string key) =>
        Parsed(key, (string field, string text, out bool value) =>
            bool.TryParse(text, out value) ? null : FieldError.Invalid(field, text, "must be true or false"));

    /// <summary>A file or folder named in the settings, relative to the settings file's folder.</summary>
    public string? FilePath(string key, string configDirectory)
    {
        if (Scalar(key) is not { Length: > 0 } text)
        {
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(PathOf(key), text, "a path may not contain a NUL character"));
            return null;
        }

        return System.IO.Path.GetFullPath(System.IO.Path.Combine(configDirectory, text));
    }

    private delegate FieldError? Parser<T>(string field, string text, out T value);

    /// <summary>The value of <paramref name="key"/> parsed, or null when it is unset or wrong (and then an error says why).</summary>
    private T? Parsed<T>(string key, Parser<T> parse)
        where T : struct
    {
        if (Scalar(key) is not { Length: > 0 } text)
        {
            return null;
        }

        if (parse(PathOf(key), text, out var value) is { } error)
        {
            errors.Add(error);
            return null;
        }

        return value;
    }
}
