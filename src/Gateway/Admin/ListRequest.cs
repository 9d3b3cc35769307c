using System.Globalization;

namespace Gateway.Admin;

/// <summary>
/// The query of a list or watch request, as the API server reads it: <c>labelSelector</c>,
/// <c>fieldSelector</c>, <c>watch</c>, <c>resourceVersion</c>, <c>timeoutSeconds</c>,
/// <c>allowWatchBookmarks</c>; and whether the client asked for a <c>Table</c>.
/// </summary>
internal sealed record ListRequest(LabelSelector Labels, FieldSelector Fields, bool Watch, long? ResourceVersion, TimeSpan Timeout, bool Bookmarks, bool Table)
{
    /// <summary>A watch without <c>timeoutSeconds</c> ends after this, as the API server's shortest request timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The longest <c>timeoutSeconds</c> taken: a day.</summary>
    public const long MaxTimeoutSeconds = 86_400;

    /// <summary>Reads the request's query; null with <paramref name="error"/> (the message of a 400) when a parameter is malformed.</summary>
    public static ListRequest? Parse(HttpRequest request, IReadOnlySet<string> fields, out string? error)
    {
        var query = request.Query;
        if (LabelSelector.Parse(query["labelSelector"], out error) is not { } labels
            || FieldSelector.Parse(query["fieldSelector"], fields, out error) is not { } fieldSelector)
        {
            return null;
        }

        if (!Bool(query["watch"], "watch", out var watch, out error) || !Bool(query["allowWatchBookmarks"], "allowWatchBookmarks", out var bookmarks, out error))
        {
            return null;
        }

        long? version = null;
        var rv = query["resourceVersion"].ToString();
        if (rv.Length > 0 && rv != "0")
        {
            if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                error = $"resourceVersion: Invalid value: \"{rv}\": must be a resourceVersion the gateway gave, such as a list's metadata.resourceVersion";
                return null;
            }

            version = parsed;
        }

        var timeout = DefaultTimeout;
        var seconds = query["timeoutSeconds"].ToString();
        if (seconds.Length > 0)
        {
            if (!long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s > MaxTimeoutSeconds)
            {
                error = $"timeoutSeconds: Invalid value: \"{seconds}\": must be a whole number of seconds from 0 to {MaxTimeoutSeconds}";
                return null;
            }

            // The API server reads 0 as "no timeout given".
            timeout = s == 0 ? DefaultTimeout : TimeSpan.FromSeconds(s);
        }

        return new ListRequest(labels, fieldSelector, watch, version, timeout, bookmarks, KubectlTable.IsWanted(request.Headers.Accept));
    }

    /// <summary>Go's <c>strconv.ParseBool</c>, as the API server reads query flags.</summary>
    private static bool Bool(string? text, string name, out bool value, out string? error)
    {
        error = null;
        value = false;
        switch (text)
        {
            case null or "" or "0" or "f" or "F" or "false" or "FALSE" or "False":
                return true;
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                value = true;
                return true;
            default:
                error = $"{name}: Invalid value: \"{text}\": must be true or false";
                return false;
        }
    }
}
