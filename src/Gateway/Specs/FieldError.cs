namespace Gateway.Specs;

/// <summary>
/// One problem with one field of a manifest, printed as the API server prints it
/// (k8s.io/apimachinery/pkg/util/validation/field): <c>path: type[: value][: detail]</c>, e.g.
/// <c>spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1</c>.
/// </summary>
/// <param name="Field">The field's path, e.g. <c>spec.containers[0].name</c>.</param>
/// <param name="Type">What kind of problem it is; one of the <c>*Type</c> constants.</param>
/// <param name="Value">The offending value as printed (strings quoted as Go's <c>%q</c>, numbers bare), or null when the type shows none.</param>
/// <param name="Detail">What is wrong or how to fix it; empty when the type says it all.</param>
public sealed record FieldError(string Field, string Type, string? Value, string Detail)
{
    /// <summary>A required field is missing or empty.</summary>
    public const string RequiredType = "Required value";

    /// <summary>The value is malformed or out of range.</summary>
    public const string InvalidType = "Invalid value";

    /// <summary>The value must be unique and is not.</summary>
    public const string DuplicateType = "Duplicate value";

    /// <summary>The value is not one of a fixed set.</summary>
    public const string NotSupportedType = "Unsupported value";

    /// <summary>The field may not be set here.</summary>
    public const string ForbiddenType = "Forbidden";

    /// <summary>The value refers to something that does not exist.</summary>
    public const string NotFoundType = "Not found";

    /// <summary>Reading the field failed in a way nobody foresaw: a bug to report, not the user's mistake.</summary>
    public const string InternalType = "Internal error";

    /// <summary>A required field is missing or empty.</summary>
    public static FieldError Required(string field, string detail = "") => new(field, RequiredType, null, detail);

    /// <summary>The value is malformed or out of range; <paramref name="detail"/> says what it must be.</summary>
    public static FieldError Invalid(string field, object? value, string detail) =>
        new(field, InvalidType, GoSyntax.Format(value), detail);

    /// <summary>
    /// The field is malformed in a way its value cannot show (an object where a single value belongs,
    /// a list where an object does): Go's <c>field.Invalid</c> with <c>OmitValueType</c>.
    /// </summary>
    public static FieldError InvalidOmitValue(string field, string detail) => new(field, InvalidType, null, detail);

    /// <summary>The value must be unique and is not; <paramref name="detail"/> may name the first one.</summary>
    public static FieldError Duplicate(string field, object? value, string detail = "") => new(field, DuplicateType, GoSyntax.Format(value), detail);

    /// <summary>The value is not one of <paramref name="supported"/>.</summary>
    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported)
    {
        var quoted = string.Join(", ", supported.Select(GoSyntax.Quote));
        return new(field, NotSupportedType, GoSyntax.Format(value), quoted.Length == 0 ? string.Empty : "supported values: " + quoted);
    }

    /// <summary>The field may not be set here; <paramref name="detail"/> says why.</summary>
    public static FieldError Forbidden(string field, string detail) => new(field, ForbiddenType, null, detail);

    /// <summary>The value refers to something that does not exist.</summary>
    public static FieldError NotFound(string field, object? value) => new(field, NotFoundType, GoSyntax.Format(value), string.Empty);

    /// <summary>Reading <paramref name="field"/> threw <paramref name="exception"/>, which the loader reports instead of crashing.</summary>
    public static FieldError Internal(string field, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(field, InternalType, null, $"{exception.GetType().Name}: {exception.Message}; please report");
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var body = Value is null ? Type : $"{Type}: {Value}";
        return Detail.Length == 0 ? $"{Field}: {body}" : $"{Field}: {body}: {Detail}";
    }
}
