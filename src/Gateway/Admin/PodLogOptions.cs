using System.Globalization;
using Gateway.Runtimes;
using Microsoft.Extensions.Primitives;
using Cause = Gateway.Admin.KubernetesStatus.Cause;

namespace Gateway.Admin;

/// <summary>
/// The query of <c>GET .../pods/{name}/log</c>, as the API server's <c>PodLogOptions</c>: decoded with
/// its rules (a bool is true unless <c>false</c> or <c>0</c>; a number or time that does not parse is
/// 400), validated with its rules (422), and applied as the kubelet applies them to a container's log.
/// </summary>
internal sealed record PodLogOptions
{
    /// <summary>The API server's layout for <c>sinceTime</c> (Go's <c>time.RFC3339</c>), named in its parse error.</summary>
    private const string Rfc3339Layout = "2006-01-02T15:04:05Z07:00";

    public string? Container { get; init; }

    public bool Follow { get; init; }

    public bool Previous { get; init; }

    public bool Timestamps { get; init; }

    public long? TailLines { get; init; }

    public long? LimitBytes { get; init; }

    public long? SinceSeconds { get; init; }

    public DateTimeOffset? SinceTime { get; init; }

    /// <summary>The options of <paramref name="query"/>; null and the API server's 400 message in <paramref name="error"/> when a value does not decode.</summary>
    public static PodLogOptions? Parse(IQueryCollection query, out string? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        error = null;
        if (!TryInt64(query, "tailLines", out var tail, ref error)
            | !TryInt64(query, "limitBytes", out var limit, ref error)
            | !TryInt64(query, "sinceSeconds", out var sinceSeconds, ref error)
            | !TryTime(query, "sinceTime", out var sinceTime, ref error))
        {
            return null;
        }

        return new PodLogOptions
        {
            Container = query.TryGetValue("container", out var container) && !StringValues.IsNullOrEmpty(container) ? container[0] : null,
            Follow = Bool(query, "follow"),
            Previous = Bool(query, "previous"),
            Timestamps = Bool(query, "timestamps"),
            TailLines = tail,
            LimitBytes = limit,
            SinceSeconds = sinceSeconds,
            SinceTime = sinceTime,
        };
    }

    /// <summary>The API server's <c>ValidatePodLogOptions</c>: each broken rule as a field error (answered 422 <c>Invalid</c>).</summary>
    public IReadOnlyList<Cause> Validate()
    {
        var causes = new List<Cause>();
        if (TailLines < 0)
        {
            causes.Add(new("FieldValueInvalid", "tailLines", $"Invalid value: {TailLines}: must be greater than or equal to 0"));
        }

        if (LimitBytes < 1)
        {
            causes.Add(new("FieldValueInvalid", "limitBytes", $"Invalid value: {LimitBytes}: must be greater than 0"));
        }

        if (SinceSeconds is not null && SinceTime is not null)
        {
            causes.Add(new("FieldValueForbidden", "", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"));
        }
        else if (SinceSeconds < 1)
        {
            causes.Add(new("FieldValueInvalid", "sinceSeconds", $"Invalid value: {SinceSeconds}: must be greater than 0"));
        }

        return causes;
    }

    /// <summary>The earliest time a line may have to be shown (the kubelet's: <c>sinceSeconds</c> back from now, or <c>sinceTime</c>), if any.</summary>
    public DateTimeOffset? Since(DateTimeOffset now) =>
        SinceTime ?? (SinceSeconds is not { } seconds ? null
            : seconds >= (now - DateTimeOffset.MinValue).TotalSeconds ? DateTimeOffset.MinValue
            : now.AddSeconds(-seconds));

    /// <summary>What a read shows of the lines kept: the last <c>tailLines</c> of them, then those not before <paramref name="since"/> (the kubelet's order).</summary>
    public IEnumerable<LogLine> Select(IReadOnlyList<LogLine> kept, DateTimeOffset? since)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var tail = TailLines is { } n ? kept.Skip((int)Math.Max(0, kept.Count - Math.Min(n, kept.Count))) : kept;
        return Later(tail, since);
    }

    /// <summary>The lines not before <paramref name="since"/>.</summary>
    public static IEnumerable<LogLine> Later(IEnumerable<LogLine> lines, DateTimeOffset? since) =>
        since is { } from ? lines.Where(l => l.Time >= from) : lines;

    private static bool Bool(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && values[0] is { } value && value != "0" && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static bool TryInt64(IQueryCollection query, string name, out long? value, ref string? error)
    {
        value = null;
        if (!query.TryGetValue(name, out var values) || values.Count == 0 || values[0] is not { } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        error ??= $"strconv.ParseInt: parsing \"{text}\": invalid syntax (query parameter {name} must be an integer)";
        return false;
    }

    private static bool TryTime(IQueryCollection query, string name, out DateTimeOffset? value, ref string? error)
    {
        value = null;
        if (!query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]) || values[0] == "null")
        {
            return true;
        }

        var text = values[0]!;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        error ??= $"parsing time \"{text}\" as \"{Rfc3339Layout}\": query parameter {name} must be an RFC 3339 time, such as 2006-01-02T15:04:05Z";
        return false;
    }
}
