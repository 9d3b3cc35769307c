using System.Text.RegularExpressions;

namespace Gateway.Specs;

/// <summary>
/// The name and port checks of k8s.io/apimachinery/pkg/util/validation, with its messages word for
/// word. Each returns the list of problems, empty when the value is valid.
/// </summary>
internal static partial class NameRules
{
    private const int Dns1123LabelMaxLength = 63;
    private const int Dns1123SubdomainMaxLength = 253;
    private const int PortNameMaxLength = 15;
    private const int QualifiedNameMaxLength = 63;
    private const int LabelValueMaxLength = 63;
    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string HttpHeaderNameFormat = "[-A-Za-z0-9]+";
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string QuantityFormat = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";

    public static List<string> Dns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123LabelMaxLength)
        {
            errors.Add(MaxLength(Dns1123LabelMaxLength));
        }

        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errors.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    Dns1123LabelFormat,
                    "my-name",
                    "123-abc"));
        }

        return errors;
    }

    /// <summary>What a pod's or an object's <c>metadata.name</c> must be (IsDNS1123Subdomain).</summary>
    public static List<string> Dns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errors.Add(MaxLength(Dns1123SubdomainMaxLength));
        }

        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errors.Add(RegexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                Dns1123SubdomainFormat,
                "example.com"));
        }

        return errors;
    }

    /// <summary>A label key: a name with an optional DNS subdomain prefix and '/' (IsQualifiedName).</summary>
    public static List<string> QualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        if (parts.Length > 2)
        {
            errors.Add("a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errors;
        }

        if (parts.Length == 2)
        {
            errors.AddRange(parts[0].Length == 0 ? ["prefix part must be non-empty"] : Dns1123Subdomain(parts[0]).Select(e => "prefix part " + e));
        }

        var name = parts[^1];
        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > QualifiedNameMaxLength)
        {
            errors.Add("name part " + MaxLength(QualifiedNameMaxLength));
        }

        if (!QualifiedNameRegex().IsMatch(name))
        {
            errors.Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>A label value (IsValidLabelValue).</summary>
    public static List<string> LabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelValueMaxLength)
        {
            errors.Add(MaxLength(LabelValueMaxLength));
        }

        if (!LabelValueRegex().IsMatch(value))
        {
            errors.Add(RegexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                LabelValueFormat,
                "MyValue",
                "my_value",
                "12345"));
        }

        return errors;
    }

    /// <summary>An IANA_SVC_NAME, which is what <c>ports[].name</c> must be.</summary>
    public static List<string> PortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > PortNameMaxLength)
        {
            errors.Add(MaxLength(PortNameMaxLength));
        }

        if (!PortNameCharsetRegex().IsMatch(value))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!value.Any(char.IsAsciiLetterLower))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        if (value.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (value.StartsWith('-') || value.EndsWith('-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        return errors;
    }

    /// <summary>A resource quantity as the API server parses one (resource.ParseQuantity).</summary>
    public static List<string> Quantity(string value)
    {
        if (QuantityRegex().IsMatch(value))
        {
            try
            {
                _ = new k8s.Models.ResourceQuantity(value);
                return [];
            }
            catch (FormatException)
            {
                // "." and "1e" match the expression but are not numbers.
            }
        }

        return ["quantities must match the regular expression '" + QuantityFormat + "'"];
    }

    public static List<string> PortNumber(long value) =>
        value is >= 1 and <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];

    public static List<string> HttpHeaderName(string value) => HttpHeaderNameRegex().IsMatch(value)
        ? []
        : [RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", HttpHeaderNameFormat, "X-Header-Name")];

    /// <summary>Kubernetes' relaxed rule (IsRelaxedEnvVarName): anything a process environment can hold.</summary>
    public static List<string> EnvVarName(string value) => value.All(c => c is >= ' ' and <= '~' and not '=')
        ? []
        : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];

    /// <summary>A ConfigMap's or Secret's key, also a file name in a volume (IsConfigMapKey).</summary>
    public static List<string> ConfigMapKey(string value)
    {
        var errors = new List<string>();
        if (value.Length > Dns1123SubdomainMaxLength)
        {
            errors.Add(MaxLength(Dns1123SubdomainMaxLength));
        }

        if (!ConfigMapKeyRegex().IsMatch(value))
        {
            errors.Add(RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
        }

        if (value == ".")
        {
            errors.Add("must not be '.'");
        }
        else if (value == "..")
        {
            errors.Add("must not be '..'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errors.Add("must not start with '..'");
        }

        return errors;
    }

    private static string MaxLength(int length) => $"must be no more than {length} characters";

    // Go's validation.RegexError, including its double space between examples.
    private static string RegexError(string message, string format, params string[] examples)
    {
        var text = message + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            text += (i > 0 ? " or " : string.Empty) + "'" + examples[i] + "', ";
        }

        return text + "regex used for validation is '" + format + "')";
    }

    // \z, not $: Go's $ does not match before a trailing newline, .NET's does.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\z")]
    private static partial Regex QualifiedNameRegex();

    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex(@"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)\z")]
    private static partial Regex QuantityRegex();

    [GeneratedRegex(@"^[-a-z0-9]+\z")]
    private static partial Regex PortNameCharsetRegex();

    [GeneratedRegex(@"^[-A-Za-z0-9]+\z")]
    private static partial Regex HttpHeaderNameRegex();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+\z")]
    private static partial Regex ConfigMapKeyRegex();
}
