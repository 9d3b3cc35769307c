using System.Globalization;
using System.Net;
using System.Text;

namespace Gateway.Admin;

/// <summary>
/// The status page's small line charts, drawn here as inline SVG (nothing fetched, no script). The
/// geometry is pure: values to a y scale with a round top (<see cref="NiceTop"/>) and to an SVG path
/// (<see cref="LinePath"/>), a missing value breaking the line. Every text is HTML-escaped, as it
/// comes from the settings file.
/// </summary>
internal static class DashboardCharts
{
    public const int Width = 240;
    public const int PlotHeight = 44;
    public const int Height = PlotHeight + 14;

    /// <summary>The smallest 1, 2 or 5 times a power of ten at or above <paramref name="max"/> (1 for nothing): the chart's top.</summary>
    public static double NiceTop(double max)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1.0, 2, 5, 10 })
        {
            // A little slack for the rounding of Pow and Log10.
            if (step * power >= max * (1 - 1e-12))
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    /// <summary>
    /// The SVG path of <paramref name="values"/> spread evenly across <paramref name="width"/>, 0 at the
    /// bottom of <paramref name="height"/> and <paramref name="top"/> at the top (above it: clamped).
    /// A null value is a gap: the line stops and starts again with a move. One value alone is a
    /// short flat stroke, so that it shows. Empty when there is no value.
    /// </summary>
    public static string LinePath(IReadOnlyList<double?> values, double width, double height, double top)
    {
        var path = new StringBuilder();
        var step = values.Count > 1 ? width / (values.Count - 1) : 0;
        var drawing = false;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } value || double.IsNaN(value))
            {
                drawing = false;
                continue;
            }

            var x = i * step;
            var y = height - (Math.Clamp(value, 0, top) / top * height);
            var alone = !drawing && (i + 1 >= values.Count || values[i + 1] is null);
            path.Append(drawing ? " L" : path.Length == 0 ? "M" : " M").Append(Number(x)).Append(' ').Append(Number(y));
            if (alone)
            {
                path.Append(" L").Append(Number(Math.Min(width, x + 2))).Append(' ').Append(Number(y));
            }

            drawing = true;
        }

        return path.ToString();
    }

    /// <summary>
    /// One chart: its line, its top value at the top left, its last value at the bottom right and a
    /// <c>title</c> (the tooltip). <paramref name="kind"/> and <paramref name="service"/> are in
    /// <c>data-</c> attributes for tests and scripts.
    /// </summary>
    public static string Svg(string service, string kind, string label, IReadOnlyList<double?> values, Func<double, string> format, string colour)
    {
        var max = values.Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var top = NiceTop(max);
        var last = values.Count > 0 ? values[^1] : null;
        var path = LinePath(values, Width, PlotHeight, top);
        var title = $"{service}: {label} over the last {values.Count * Telemetry.RequestHistory.SlotSeconds / 60.0:0.#} min, {Telemetry.RequestHistory.SlotSeconds} s steps; now {(last is { } l ? format(l) : "-")}, max {format(max)}";
        return string.Create(CultureInfo.InvariantCulture, $"""
            <svg class="chart" data-service="{E(service)}" data-chart="{E(kind)}" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" role="img" aria-label="{E(title)}"><title>{E(title)}</title>
            <rect width="{Width}" height="{PlotHeight}" fill="#f6f8fa"/><line x1="0" y1="{PlotHeight / 2.0}" x2="{Width}" y2="{PlotHeight / 2.0}" stroke="#e3e6ea"/>
            <path class="line" d="{path}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-linejoin="round"/>
            <text x="2" y="10" font-size="10" fill="#666">{E(format(top))}</text><text x="2" y="{Height - 2}" font-size="10" fill="#444">{E(label)}</text>
            <text x="{Width - 2}" y="{Height - 2}" font-size="10" text-anchor="end" fill="#222">{E(last is { } v ? format(v) : "-")}</text></svg>
            """);
    }

    /// <summary>A coordinate with at most one decimal, invariant.</summary>
    public static string Number(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
