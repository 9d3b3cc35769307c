using System.Text.RegularExpressions;

namespace Gateway.Specs;

/// <summary>
/// The name and port checks of k8s.io/apimachinery/pkg/util/validation, with its messages word for
/// word. Each returns the list of problems, empty when the value is valid.
/// </summary>
internal static partial class NameRules
{
    private const int Dns1123LabelMaxLength = 63;
    private const int PortNameMaxLength = 15;
    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string HttpHeaderNameFormat = "[-A-Za-z0-9]+";

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

    public static List<string> PortNumber(long value) =>
        value is >= 1 and <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];

    public static List<string> HttpHeaderName(string value) => HttpHeaderNameRegex().IsMatch(value)
        ? []
        : [RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", HttpHeaderNameFormat, "X-Header-Name")];

    /// <summary>Kubernetes' relaxed rule (IsRelaxedEnvVarName): anything a process environment can hold.</summary>
    public static List<string> EnvVarName(string value) => value.All(c => c is >= ' ' and <= '~' and not '=')
        ? []
        : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];

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

    [GeneratedRegex(@"^[-a-z0-9]+\z")]
    private static partial Regex PortNameCharsetRegex();

    [GeneratedRegex(@"^[-A-Za-z0-9]+\z")]
    private static partial Regex HttpHeaderNameRegex();
}
