using System.Globalization;
using System.Text;

namespace Gateway.Specs;

/// <summary>
/// Prints values the way the API server's Go code does, so that messages read the same as
/// <c>kubectl apply</c> would show them.
/// </summary>
internal static class GoSyntax
{
    private static readonly char[] LineBreaks = ['\r', '\n', '\t'];

    /// <summary><paramref name="text"/> (an exception's message in an error line) with its line breaks and tabs made single spaces.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(LineBreaks, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>A value as <c>field.Error</c> prints it: strings as <c>%q</c>, numbers and booleans bare, nil as "null".</summary>
    public static string Format(object? value) => value switch
    {
        null => Quote("null"),
        string text => Quote(text),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A <c>map[string]string</c> as Go's <c>%v</c> prints it: <c>map[app:web tier:demo]</c>, keys sorted.</summary>
    public static string Map(IEnumerable<KeyValuePair<string, string>> map) =>
        $"map[{string.Join(' ', map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}:{e.Value}"))}]";

    /// <summary>Go's <c>strconv.Quote</c>: double quotes, with escapes for quotes, backslashes and unprintable runes.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\a': quoted.Append("\\a"); break;
                case '\b': quoted.Append("\\b"); break;
                case '\f': quoted.Append("\\f"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\v': quoted.Append("\\v"); break;
                default: AppendRune(quoted, rune); break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private static void AppendRune(StringBuilder quoted, Rune rune)
    {
        if (IsPrint(rune))
        {
            quoted.Append(rune.ToString());
        }
        else if (rune.Value < ' ' || rune.Value == 0x7f)
        {
            quoted.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (rune.Value < 0x10000)
        {
            quoted.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            quoted.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) is
        >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.OtherNumber or
        >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherSymbol;
}
