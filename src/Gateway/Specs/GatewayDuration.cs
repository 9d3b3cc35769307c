using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Specs;

/// <summary>
/// Durations as the Kubernetes Gateway API writes them (GEP-2257): up to four parts, each 1-5
/// digits and a unit, in the order <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>, each unit at most
/// once: <c>30s</c>, <c>1h30m</c>, <c>500ms</c>, <c>0s</c>. No sign, no fraction, no spaces.
/// </summary>
public static partial class GatewayDuration
{
    /// <summary>What a user is told when a value is not a duration.</summary>
    public const string Expected = "must be a duration as the Gateway API writes them: digits and a unit, h, m, s or ms, e.g. \"30s\", \"1h30m\", \"500ms\"";

    /// <summary>The duration <paramref name="text"/> writes, or null when it is not one.</summary>
    public static TimeSpan? Parse(string text)
    {
        if (text is null || !Format().IsMatch(text))
        {
            return null;
        }

        var total = TimeSpan.Zero;
        var lastRank = -1;
        foreach (Match part in Part().Matches(text))
        {
            var rank = Array.IndexOf(Units, part.Groups[2].Value);
            if (rank <= lastRank)
            {
                return null; // out of order, or a unit twice
            }

            lastRank = rank;
            var n = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }

        return total;
    }

    /// <summary>The shortest form of <paramref name="value"/> in this syntax (whole milliseconds).</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = "";
        var (h, m, s, ms) = ((long)value.TotalHours, value.Minutes, value.Seconds, value.Milliseconds);
        text += h > 0 ? $"{h}h" : "";
        text += m > 0 ? $"{m}m" : "";
        text += s > 0 ? $"{s}s" : "";
        text += ms > 0 ? $"{ms}ms" : "";
        return text.Length == 0 ? "0s" : text;
    }

    private static readonly string[] Units = ["h", "m", "s", "ms"];

    [GeneratedRegex("^([0-9]{1,5}(h|m|s|ms)){1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();

    [GeneratedRegex("([0-9]{1,5})(ms|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
