using System.Security.Cryptography;
using System.Text;

namespace Gateway.Specs;

/// <summary>Kubernetes-style names: <c>web-7d9f8c6b5-x2k4q</c>.</summary>
public static class NameGenerator
{
    // k8s.io/apimachinery/pkg/util/rand: no vowels and no confusable characters, so no words are spelled.
    private const string Alphanumerics = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The pod-template-hash of a template's canonical JSON (FNV-1a 32, encoded as Kubernetes does).</summary>
    public static string TemplateHash(string canonicalJson)
    {
        ArgumentNullException.ThrowIfNull(canonicalJson);
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(canonicalJson))
        {
            hash ^= b;
            hash *= 16777619;
        }

        return SafeEncode(hash.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A new pod name for a service: <c>{service}-{hash}-{5 random}</c>.</summary>
    public static string PodName(string service, string templateHash) => $"{service}-{templateHash}-{RandomSuffix(5)}";

    public static string RandomSuffix(int length)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphanumerics[RandomNumberGenerator.GetInt32(Alphanumerics.Length)];
        }

        return new string(chars);
    }

    private static string SafeEncode(string s)
    {
        var chars = new char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            chars[i] = Alphanumerics[s[i] % Alphanumerics.Length];
        }

        return new string(chars);
    }
}
