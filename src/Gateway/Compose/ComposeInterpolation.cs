using System.Text;
using Gateway.Specs;

namespace Gateway.Compose;

/// <summary>
/// Compose's interpolation of <c>${VAR}</c> in values: <c>$VAR</c>, <c>${VAR}</c>,
/// <c>${VAR:-default}</c> (unset or empty), <c>${VAR-default}</c> (unset), <c>${VAR:?error}</c>,
/// <c>${VAR?error}</c>, <c>${VAR:+replacement}</c>, <c>${VAR+replacement}</c>, and <c>$$</c> for a
/// literal <c>$</c>. An unset variable without a default is empty, as compose has it.
/// </summary>
internal static class ComposeInterpolation
{
    public static string Apply(string text, Func<string, string?> variables, string path, List<FieldError> errors)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '$' || i + 1 >= text.Length)
            {
                result.Append(c);
                continue;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                result.Append('$');
                i++;
            }
            else if (next == '{')
            {
                var end = Closing(text, i + 2);
                if (end < 0)
                {
                    errors.Add(FieldError.Invalid(path, text, "an unclosed ${ in interpolation; write $$ for a literal $"));
                    return text;
                }

                result.Append(Braced(text[(i + 2)..end], variables, path, errors));
                i = end;
            }
            else if (IsNameStart(next))
            {
                var start = i + 1;
                var end = start;
                while (end < text.Length && IsNamePart(text[end]))
                {
                    end++;
                }

                result.Append(variables(text[start..end]) ?? "");
                i = end - 1;
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static string Braced(string body, Func<string, string?> variables, string path, List<FieldError> errors)
    {
        var n = 0;
        while (n < body.Length && IsNamePart(body[n]))
        {
            n++;
        }

        var name = body[..n];
        var rest = body[n..];
        if (name.Length == 0 || !IsNameStart(name[0]))
        {
            errors.Add(FieldError.Invalid(path, "${" + body + "}", "not a variable name; write $$ for a literal $"));
            return "";
        }

        var value = variables(name);
        var colon = rest.StartsWith(':');
        var op = rest.Length > (colon ? 1 : 0) ? rest[colon ? 1 : 0] : '\0';
        var operand = rest.Length > (colon ? 2 : 1) ? Apply(rest[(colon ? 2 : 1)..], variables, path, errors) : "";
        var unset = colon ? string.IsNullOrEmpty(value) : value is null;
        switch (op)
        {
            case '\0' when rest.Length == 0:
                return value ?? "";
            case '-':
                return unset ? operand : value!;
            case '+':
                return unset ? "" : operand;
            case '?':
                if (unset)
                {
                    errors.Add(FieldError.Required(path, $"${{{name}}}: {(operand.Length > 0 ? operand : "the variable is required")}; set it in the environment or in .env beside the file"));
                }

                return value ?? "";
            default:
                errors.Add(FieldError.Invalid(path, "${" + body + "}", "the forms are ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+value} and ${VAR+value}"));
                return "";
        }
    }

    // The '}' that closes a ${ at start, nested ${...} skipped.
    private static int Closing(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '{' && text[i - 1] == '$')
            {
                depth++;
            }
            else if (text[i] == '}' && depth-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNamePart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
