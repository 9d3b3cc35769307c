using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// Turns a configuration section back into the JSON of a Kubernetes model. .NET configuration
/// flattens JSON into strings and loses arrays and types; the model's own shape (its
/// <see cref="JsonPropertyNameAttribute"/> names and property types) tells how to rebuild them, and a
/// key the model does not have is reported instead of dropped.
/// </summary>
internal static class ConfigurationJson
{
    /// <summary>
    /// The section as a <typeparamref name="T"/>, or null with the reasons in <paramref name="errors"/>:
    /// every value is checked here, so that the model's own parsing never throws.
    /// </summary>
    public static T? Bind<T>(IConfigurationSection section, string path, List<FieldError> errors)
        where T : class
    {
        var before = errors.Count;
        var json = ToJson(section, typeof(T), path, errors);
        if (errors.Count != before || json is null)
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<T>(json.ToJsonString());
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Not expected after the checks above; still a field error, not a crash.
            var at = e is JsonException { Path: { Length: > 1 } jsonPath } ? path + jsonPath[1..] : path;
            errors.Add(FieldError.InvalidOmitValue(at, e.Message));
            return null;
        }
    }

    /// <summary>The JSON field names of a Kubernetes model type, as its API reference spells them.</summary>
    public static IEnumerable<string> FieldNames(Type modelType) => JsonProperties(modelType).Values.Select(p => p.Name);

    public static JsonNode? ToJson(IConfigurationSection section, Type modelType, string path, List<FieldError> errors)
    {
        var underlying = Nullable.GetUnderlyingType(modelType) ?? modelType;
        var children = section.GetChildren().ToList();

        if (children.Count == 0)
        {
            return Leaf(section.Value, underlying, path, errors);
        }

        if (underlying == typeof(string) || underlying.IsPrimitive || underlying == typeof(IntOrString) || underlying == typeof(ResourceQuantity))
        {
            errors.Add(FieldError.InvalidOmitValue(path, SettingsSection.SingleValueDetail));
            return null;
        }

        if (DictionaryValueType(underlying) is { } valueType)
        {
            var map = new JsonObject();
            foreach (var child in children)
            {
                map[child.Key] = ToJson(child, valueType, FieldPath.Key(path, child.Key), errors);
            }

            return map;
        }

        if (ListItemType(underlying) is { } itemType)
        {
            var items = new SortedDictionary<int, IConfigurationSection>();
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    errors.Add(FieldError.InvalidOmitValue(path, $"must be a list, found the key \"{child.Key}\""));
                    return null;
                }

                items[index] = child;
            }

            var array = new JsonArray();
            foreach (var (index, child) in items)
            {
                array.Add(ToJson(child, itemType, $"{path}[{index}]", errors));
            }

            return array;
        }

        if (children.All(child => int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            errors.Add(FieldError.InvalidOmitValue(path, "must be an object, not a list"));
            return null;
        }

        var properties = JsonProperties(underlying);
        var json = new JsonObject();
        foreach (var child in children)
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var detail = Specs.FieldNames.UnknownDetail(child.Key, FieldNames(underlying), "check its spelling against the Kubernetes API reference");
                errors.Add(new FieldError($"{path}.{child.Key}", FieldError.InvalidType, GoSyntax.Quote(child.Key), detail));
                continue;
            }

            json[property.Name] = ToJson(child, property.Type, $"{path}.{property.Name}", errors);
        }

        return json;
    }

    private static JsonNode? Leaf(string? value, Type type, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (type == typeof(string) || type == typeof(IntOrString))
        {
            return JsonValue.Create(value);
        }

        if (type == typeof(ResourceQuantity))
        {
            var problems = NameRules.Quantity(value);
            errors.AddInvalid(path, value, problems);
            return problems.Count == 0 ? JsonValue.Create(value) : null;
        }

        if (type == typeof(bool))
        {
            if (bool.TryParse(value, out var b))
            {
                return JsonValue.Create(b);
            }

            errors.Add(FieldError.Invalid(path, value, "must be true or false"));
            return null;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            // The model's own range: an int field is Kubernetes' int32, a long its int64.
            var (min, max) = type == typeof(int) ? (int.MinValue, int.MaxValue) : (long.MinValue, long.MaxValue);
            if (NumberField.Integer(path, value, min, max, out var n) is { } error)
            {
                errors.Add(error);
                return null;
            }

            return JsonValue.Create(n);
        }

        if (type == typeof(double))
        {
            if (NumberField.Real(path, value, double.MinValue, double.MaxValue, out var d) is { } error)
            {
                errors.Add(error);
                return null;
            }

            return JsonValue.Create(d);
        }

        if (type == typeof(DateTime))
        {
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                return JsonValue.Create(value);
            }

            errors.Add(FieldError.Invalid(path, value, "must be a timestamp, e.g. \"2024-05-01T12:00:00Z\""));
            return null;
        }

        if (value.Length == 0)
        {
            // An empty JSON object or list arrives as an empty string.
            return ListItemType(type) is not null ? new JsonArray() : new JsonObject();
        }

        errors.Add(FieldError.Invalid(path, value, "must be an object or a list"));
        return null;
    }

    private static Type? ListItemType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var list = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        return list?.GetGenericArguments()[0];
    }

    private static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary?.GetGenericArguments()[1];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Dictionary<string, (string Name, Type Type)>> PropertyCache = new();

    private static Dictionary<string, (string Name, Type Type)> JsonProperties(Type type) =>
        PropertyCache.GetOrAdd(type, static t =>
        {
            // Configuration keys are case-insensitive, as .NET configuration is.
            var map = new Dictionary<string, (string, Type)>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (name is not null)
                {
                    map[name] = (name, property.PropertyType);
                }
            }

            return map;
        });
}
