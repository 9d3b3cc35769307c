using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Compose;

/// <summary>
/// Durations as the Compose Specification writes them (Go's <c>time.ParseDuration</c>): one or more
/// decimal numbers with a unit, <c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (and Go's
/// <c>ns</c>, <c>µs</c>): <c>10s</c>, <c>1m30s</c>, <c>1.5s</c>, <c>2h46m40s</c>. A bare number is
/// not a duration (compose reads it as seconds only in a few legacy fields; the gateway does not).
/// </summary>
internal static partial class ComposeDuration
{
    public const string Expected = "must be a duration as compose writes them: numbers with a unit, us, ms, s, m or h, e.g. \"10s\", \"1m30s\", \"1.5s\"";

    public static TimeSpan? Parse(string text)
    {
        if (text is "0")
        {
            return TimeSpan.Zero; // Go's one unitless duration
        }

        if (string.IsNullOrEmpty(text) || !Whole().IsMatch(text))
        {
            return null;
        }

        double ticks = 0;
        foreach (Match part in Part().Matches(text))
        {
            var number = double.Parse(part.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ticks += number * part.Groups[2].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                _ => 0.01, // ns: a tick is 100 ns
            };
        }

        return ticks > TimeSpan.MaxValue.Ticks ? null : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Whole seconds for a Kubernetes <c>*Seconds</c> field: rounded up, at least <paramref name="min"/>.</summary>
    public static int Seconds(TimeSpan value, int min = 1) => (int)Math.Max(min, Math.Min(int.MaxValue, Math.Ceiling(value.TotalSeconds)));

    [GeneratedRegex(@"^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
