namespace Gateway.Admin;

/// <summary>
/// A field selector in the API server's syntax (<c>status.phase=Running</c>,
/// <c>involvedObject.name!=x</c>, joined by commas; <c>\,</c> escapes a comma in a value), checked
/// against the fields a resource supports: any other field is refused as the API server refuses it.
/// </summary>
internal sealed class FieldSelector
{
    private sealed record Requirement(string Field, bool Equal, string Value);

    private readonly IReadOnlyList<Requirement> _requirements;

    private FieldSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The fields the selector names, with the value each must (or must not) have.</summary>
    public bool Matches(Func<string, string?> field) =>
        _requirements.All(r => string.Equals(field(r.Field) ?? "", r.Value, StringComparison.Ordinal) == r.Equal);

    /// <summary>Parses <paramref name="text"/> for a resource whose fields are <paramref name="supported"/>; null with <paramref name="error"/> when it is malformed or names another field.</summary>
    public static FieldSelector? Parse(string? text, IReadOnlySet<string> supported, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        List<Requirement> requirements = [];
        foreach (var term in SplitTerms(text))
        {
            var (op, at) = FindOperator(term);
            if (op is null)
            {
                error = $"invalid selector: '{text}'; can't understand '{term}'";
                return null;
            }

            var field = term[..at].Trim();
            if (!supported.Contains(field))
            {
                error = $"field label not supported: {field}";
                return null;
            }

            requirements.Add(new Requirement(field, op != "!=", Unescape(term[(at + op.Length)..].Trim())));
        }

        return new FieldSelector(requirements);
    }

    private static (string? Op, int At) FindOperator(string term)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '\\')
            {
                i++;
                continue;
            }

            if (term[i] == '!' && i + 1 < term.Length && term[i + 1] == '=')
            {
                return ("!=", i);
            }

            if (term[i] == '=')
            {
                return (i + 1 < term.Length && term[i + 1] == '=' ? "==" : "=", i);
            }
        }

        return (null, -1);
    }

    /// <summary>Splits on the commas that no backslash escapes.</summary>
    private static IEnumerable<string> SplitTerms(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ',')
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static string Unescape(string value) => value.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\=", "=", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}
