using System.Collections.Immutable;
using System.Text;
using k8s.Models;

namespace Gateway.Specs;

/// <summary>
/// The ConfigMaps and Secrets of a service's manifests, checked as the API server checks them
/// (names, keys, a key in both <c>data</c> and <c>binaryData</c>) and gathered by name.
/// </summary>
internal sealed class ConfigObjectsLoader
{
    private readonly Dictionary<string, (ConfigMapData Data, string Path)> _configMaps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ImmutableSortedDictionary<string, byte[]> Data, string Path)> _secrets = new(StringComparer.Ordinal);

    public ConfigObjects Build() => new(
        _configMaps.ToImmutableSortedDictionary(e => e.Key, e => e.Value.Data, StringComparer.Ordinal),
        _secrets.ToImmutableSortedDictionary(e => e.Key, e => e.Value.Data, StringComparer.Ordinal));

    public void Add(V1ConfigMap configMap, string path, List<FieldError> errors)
    {
        if (ManifestMetadata.Validate(configMap.Metadata, path, "ConfigMap", errors) is not { } name)
        {
            return;
        }

        var data = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var binary = ImmutableSortedDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            if (ValidKey(key, $"{path}.data", errors))
            {
                data[key] = value ?? "";
            }
        }

        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            if (!ValidKey(key, $"{path}.binaryData", errors))
            {
                continue;
            }

            if (data.ContainsKey(key))
            {
                errors.Add(FieldError.Invalid(FieldPath.Key($"{path}.binaryData", key), key, "duplicate of key present in data"));
                continue;
            }

            binary[key] = value ?? [];
        }

        if (_configMaps.TryGetValue(name, out var first))
        {
            errors.Add(FieldError.Duplicate($"{path}.metadata.name", name, $"ConfigMap {GoSyntax.Quote(name)} is already defined at {first.Path}"));
            return;
        }

        _configMaps[name] = (new ConfigMapData(data.ToImmutable(), binary.ToImmutable()), path);
    }

    public void Add(V1Secret secret, string path, List<FieldError> errors)
    {
        if (ManifestMetadata.Validate(secret.Metadata, path, "Secret", errors) is not { } name)
        {
            return;
        }

        var data = ImmutableSortedDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
        {
            if (ValidKey(key, $"{path}.data", errors))
            {
                data[key] = value ?? [];
            }
        }

        // The API server writes stringData over data, then forgets it.
        foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
        {
            if (ValidKey(key, $"{path}.stringData", errors))
            {
                data[key] = Encoding.UTF8.GetBytes(value ?? "");
            }
        }

        if (_secrets.TryGetValue(name, out var first))
        {
            errors.Add(FieldError.Duplicate($"{path}.metadata.name", name, $"Secret {GoSyntax.Quote(name)} is already defined at {first.Path}"));
            return;
        }

        _secrets[name] = (data.ToImmutable(), path);
    }

    private static bool ValidKey(string key, string path, List<FieldError> errors)
    {
        var problems = NameRules.ConfigMapKey(key);
        errors.AddInvalid(FieldPath.Key(path, key), key, problems);
        return problems.Count == 0;
    }
}
