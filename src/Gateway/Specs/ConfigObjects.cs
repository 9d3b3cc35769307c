using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Specs;

/// <summary>One ConfigMap: its <c>data</c> (text) and <c>binaryData</c> (bytes), by key.</summary>
public sealed record ConfigMapData(ImmutableSortedDictionary<string, string> Data, ImmutableSortedDictionary<string, byte[]> BinaryData);

/// <summary>
/// The ConfigMaps and Secrets of a service's manifests (namespace <c>default</c>), by name, which
/// its pods' <c>env[].valueFrom</c>, <c>envFrom</c> and <c>configMap</c>/<c>secret</c> volumes read.
/// A Secret's values are its decoded <c>data</c> with <c>stringData</c> over them, as the API server stores them.
/// </summary>
public sealed record ConfigObjects(
    ImmutableSortedDictionary<string, ConfigMapData> ConfigMaps,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, byte[]>> Secrets)
{
    public static readonly ConfigObjects Empty = new(
        ImmutableSortedDictionary.Create<string, ConfigMapData>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, byte[]>>(StringComparer.Ordinal));

    /// <summary>
    /// A digest of every name, key and value, for the template hash: a change of a ConfigMap or
    /// Secret the pods read replaces them (a rolling update), as <c>kubectl rollout restart</c> would.
    /// </summary>
    public string Digest()
    {
        if (ConfigMaps.IsEmpty && Secrets.IsEmpty)
        {
            return "";
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string tag, string name, string key, ReadOnlySpan<byte> value)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{tag}\0{name}\0{key}\0{value.Length}\0"));
            hash.AppendData(value);
        }

        foreach (var (name, configMap) in ConfigMaps)
        {
            foreach (var (key, value) in configMap.Data)
            {
                Add("d", name, key, Encoding.UTF8.GetBytes(value));
            }

            foreach (var (key, value) in configMap.BinaryData)
            {
                Add("b", name, key, value);
            }
        }

        foreach (var (name, secret) in Secrets)
        {
            foreach (var (key, value) in secret)
            {
                Add("s", name, key, value);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
