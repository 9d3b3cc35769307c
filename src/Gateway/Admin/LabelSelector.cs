using System.Text.RegularExpressions;

namespace Gateway.Admin;

/// <summary>
/// A label selector in the API server's syntax (<c>app=web</c>, <c>tier!=cache</c>,
/// <c>tier in (demo,web)</c>, <c>env notin (prod)</c>, <c>app</c>, <c>!canary</c>, joined by commas),
/// parsed once and matched against an object's labels. Every requirement must hold.
/// </summary>
internal sealed partial class LabelSelector
{
    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlySet<string> Values);

    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var r in _requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(r.Key, out value);
            var holds = r.Op switch
            {
                Operator.Equals or Operator.In => has && r.Values.Contains(value!),
                Operator.NotEquals or Operator.NotIn => !has || !r.Values.Contains(value!),
                Operator.Exists => has,
                _ => !has,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> (the API server's words) when it is malformed.</summary>
    public static LabelSelector? Parse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        List<Requirement> requirements = [];
        foreach (var term in SplitTerms(text))
        {
            if (ParseRequirement(term.Trim(), out error) is not { } requirement)
            {
                return null;
            }

            requirements.Add(requirement);
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Splits on the commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static Requirement? ParseRequirement(string term, out string? error)
    {
        error = null;
        Match m;
        Requirement? requirement = null;
        if ((m = SetTerm().Match(term)).Success)
        {
            var values = m.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries);
            requirement = new Requirement(m.Groups["key"].Value, m.Groups["op"].Value == "in" ? Operator.In : Operator.NotIn, values.ToHashSet(StringComparer.Ordinal));
        }
        else if ((m = EqualityTerm().Match(term)).Success)
        {
            requirement = new Requirement(m.Groups["key"].Value, m.Groups["op"].Value == "!=" ? Operator.NotEquals : Operator.Equals,
                new HashSet<string>(StringComparer.Ordinal) { m.Groups["value"].Value });
        }
        else if ((m = ExistsTerm().Match(term)).Success)
        {
            requirement = new Requirement(m.Groups["key"].Value, m.Groups["not"].Success ? Operator.DoesNotExist : Operator.Exists, new HashSet<string>());
        }

        if (requirement is null)
        {
            error = $"unable to parse requirement: found '{term}', expected: key, key=value, key!=value, key in (v1,v2), key notin (v1,v2) or !key";
            return null;
        }

        if (Specs.NameRules.QualifiedName(requirement.Key) is [var keyError, ..])
        {
            error = $"unable to parse requirement: key: Invalid value: \"{requirement.Key}\": {keyError}";
            return null;
        }

        foreach (var value in requirement.Values)
        {
            if (Specs.NameRules.LabelValue(value) is [var valueError, ..])
            {
                error = $"unable to parse requirement: values[0][{requirement.Key}]: Invalid value: \"{value}\": {valueError}";
                return null;
            }
        }

        return requirement;
    }

    [GeneratedRegex(@"^(?<key>[^\s!=(),]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetTerm();

    [GeneratedRegex(@"^(?<key>[^\s!=(),]+)\s*(?<op>==|!=|=)\s*(?<value>[^\s!=(),]*)$")]
    private static partial Regex EqualityTerm();

    [GeneratedRegex(@"^(?<not>!)?\s*(?<key>[^\s!=(),]+)$")]
    private static partial Regex ExistsTerm();
}
