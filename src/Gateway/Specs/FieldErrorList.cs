namespace Gateway.Specs;

/// <summary>Helpers for the error lists the validators collect into.</summary>
internal static class FieldErrorList
{
    /// <summary>One Invalid error per detail, as the API server reports a value that breaks several rules.</summary>
    public static void AddInvalid(this List<FieldError> errors, string path, object value, IEnumerable<string> details) =>
        errors.AddRange(details.Select(detail => FieldError.Invalid(path, value, detail)));

    /// <summary>An Unsupported value error unless <paramref name="value"/> is unset (defaulted later) or one of <paramref name="supported"/>.</summary>
    public static void AddIfNotSupported(this List<FieldError> errors, string path, string? value, string[] supported)
    {
        if (!string.IsNullOrEmpty(value) && !supported.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(FieldError.NotSupported(path, value, supported));
        }
    }
}
