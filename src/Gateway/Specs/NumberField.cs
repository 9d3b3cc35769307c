using System.Globalization;

namespace Gateway.Specs;

/// <summary>
/// Reads a number as configuration carries it (a JSON number arrives as its text) and checks its
/// range, in the API server's words. A value is refused, never truncated or wrapped.
/// </summary>
internal static class NumberField
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; "3" and "1e3" are integers, "2.7" is not.</summary>
    public static FieldError? Integer(string path, string text, long min, long max, out long value)
    {
        value = 0;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact))
        {
            value = exact;
            return exact >= min && exact <= max ? null : OutOfRange(path, text, Format(min), Format(max), exact < min && max >= int.MaxValue);
        }

        if (!TryFinite(text, out var number) || Math.Floor(number) != number)
        {
            return Invalid(path, text, "must be an integer");
        }

        // Integral but written with an exponent ("1e3"), or beyond a long ("1e20").
        if (number >= min && number <= max && Math.Abs(number) < 1L << 53)
        {
            value = (long)number;
            return null;
        }

        return OutOfRange(path, text, Format(min), Format(max), number < min && max >= int.MaxValue);
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static FieldError? Real(string path, string text, double min, double max, out double value)
    {
        if (!TryFinite(text, out value))
        {
            return Invalid(path, text, "must be a number");
        }

        return value >= min && value <= max ? null : OutOfRange(path, text, Format(min), Format(max), value < min && max >= int.MaxValue);
    }

    // The API server's words: "must be between 0 and 10, inclusive", or, below a minimum where only
    // the type bounds the maximum, "must be greater than or equal to 0".
    private static FieldError OutOfRange(string path, string text, string min, string max, bool belowOnlyBound) =>
        Invalid(path, text, belowOnlyBound ? $"must be greater than or equal to {min}" : $"must be between {min} and {max}, inclusive");

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    // A number is shown as written ("1e20"), anything else quoted, as the API server prints values.
    private static FieldError Invalid(string path, string text, string detail) =>
        new(path, FieldError.InvalidType, TryFinite(text, out _) ? text : GoSyntax.Quote(text), detail);

    private static bool TryFinite(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
