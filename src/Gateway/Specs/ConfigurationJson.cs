using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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
    public static JsonNode? ToJson(IConfigurationSection section, Type modelType, string path, List<string> errors)
    {
        var underlying = Nullable.GetUnderlyingType(modelType) ?? modelType;
        var children = section.GetChildren().ToList();

        if (children.Count == 0)
        {
            return Leaf(section.Value, underlying, path, errors);
        }

        if (underlying == typeof(string) || underlying.IsPrimitive || underlying == typeof(IntOrString) || underlying == typeof(ResourceQuantity))
        {
            errors.Add($"{path}: Invalid value: must be a single value, not an object or a list");
            return null;
        }

        if (DictionaryValueType(underlying) is { } valueType)
        {
            var map = new JsonObject();
            foreach (var child in children)
            {
                map[child.Key] = ToJson(child, valueType, $"{path}.{child.Key}", errors);
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
                    errors.Add($"{path}: Invalid value: must be a list, found the key \"{child.Key}\"");
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

        var properties = JsonProperties(underlying);
        var json = new JsonObject();
        foreach (var child in children)
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{path}.{child.Key}: Invalid value: \"{child.Key}\": unknown field; check its spelling against the Kubernetes API reference");
                continue;
            }

            json[property.Name] = ToJson(child, property.Type, $"{path}.{property.Name}", errors);
        }

        return json;
    }

    private static JsonNode? Leaf(string? value, Type type, string path, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (type == typeof(string) || type == typeof(IntOrString) || type == typeof(ResourceQuantity))
        {
            return JsonValue.Create(value);
        }

        if (type == typeof(bool))
        {
            if (bool.TryParse(value, out var b))
            {
                return JsonValue.Create(b);
            }

            errors.Add($"{path}: Invalid value: \"{value}\": must be true or false");
            return null;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                return JsonValue.Create(n);
            }

            errors.Add($"{path}: Invalid value: \"{value}\": must be an integer");
            return null;
        }

        if (type == typeof(double))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return JsonValue.Create(d);
            }

            errors.Add($"{path}: Invalid value: \"{value}\": must be a number");
            return null;
        }

        if (type == typeof(DateTime))
        {
            return JsonValue.Create(value);
        }

        if (value.Length == 0)
        {
            // An empty JSON object or list arrives as an empty string.
            return ListItemType(type) is not null ? new JsonArray() : new JsonObject();
        }

        errors.Add($"{path}: Invalid value: \"{value}\": must be an object or a list");
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
