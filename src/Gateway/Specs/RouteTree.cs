using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Specs;

/// <summary>
/// An HTTPRoute's fields as a plain tree (objects, lists, strings) with the path each field is named
/// by in errors, so that one reader takes both a YAML manifest (<c>spec.rules[0].matches</c>, names
/// with case) and settings (<c>Route:Matches:0</c>, names without case, as configuration keys are).
/// </summary>
internal sealed class RouteTree
{
    private readonly object? _value;

    private RouteTree(object? value, string path, bool settings)
    {
        _value = value;
        Path = path;
        IsSettings = settings;
    }

    public string Path { get; }

    /// <summary>Whether the tree came from settings: keys compare without case, paths use ':'.</summary>
    public bool IsSettings { get; }

    public bool IsMissing => _value is null;

    public bool IsObject => _value is List<KeyValuePair<string, object?>>;

    public bool IsList => _value is List<object?>;

    /// <summary>The scalar's text; null for a missing field, an object or a list.</summary>
    public string? Text => _value as string;

    private StringComparison Comparison => IsSettings ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static RouteTree FromSettings(IConfigurationSection section, string path) => new(Convert(section), path, settings: true);

    public static RouteTree FromYaml(YamlNode node, string path) => new(Convert(node), path, settings: false);

    /// <summary>The object's keys, in order; none for anything else.</summary>
    public IEnumerable<string> Keys => _value is List<KeyValuePair<string, object?>> map ? map.Select(e => e.Key) : [];

    public RouteTree this[string key]
    {
        get
        {
            var found = _value is List<KeyValuePair<string, object?>> map ? map.FirstOrDefault(e => string.Equals(e.Key, key, Comparison)) : default;
            // A missing field is named as the settings spell keys (Value), or as the manifest does (value).
            var name = found.Key ?? (IsSettings ? char.ToUpperInvariant(key[0]) + key[1..] : key);
            return new RouteTree(found.Value, IsSettings ? $"{Path}:{name}" : FieldPath.Child(Path, name), IsSettings);
        }
    }

    /// <summary>The list's items; a missing field is an empty list.</summary>
    public IEnumerable<RouteTree> Items => _value is List<object?> list
        ? list.Select((item, i) => new RouteTree(item, IsSettings ? $"{Path}:{i}" : FieldPath.Index(Path, i), IsSettings))
        : [];

    /// <summary>Whether <paramref name="key"/> is one of <paramref name="known"/> as this tree compares names.</summary>
    public bool Knows(IEnumerable<string> known, string key) => known.Any(k => string.Equals(k, key, Comparison));

    /// <summary>The path of a child, for errors about a key.</summary>
    public string PathOf(string key) => IsSettings ? $"{Path}:{key}" : FieldPath.Child(Path, key);

    private static object? Convert(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value;
        }

        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(Convert).ToList();
        }

        return children.Select(c => new KeyValuePair<string, object?>(c.Key, Convert(c))).ToList();
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.Select(e => new KeyValuePair<string, object?>(((YamlScalarNode)e.Key).Value ?? "", Convert(e.Value))).ToList(),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode { Value: var v, Style: YamlDotNet.Core.ScalarStyle.Plain } when v is "" or "~" or "null" => null,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };
}
