using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Runtimes;

/// <summary>
/// The kubelet's CRI container log format, one entry a line: <c>2016-10-06T00:17:09.669794202Z stdout F text</c>
/// (the time in RFC 3339 with nanoseconds, the stream, <c>F</c> for a full line or <c>P</c> for a part of
/// one, then the text). A line longer than <see cref="MaxEntryBytes"/> is written as <c>P</c> entries and a
/// last <c>F</c> one, as containerd splits them, and the reader joins them again. Pure functions.
/// </summary>
public static class CriLogFormat
{
    /// <summary>containerd's bound on one entry's text (<c>max_container_log_line_size</c>, 16 KiB).</summary>
    public const int MaxEntryBytes = 16 * 1024;

    /// <summary>Writes <paramref name="line"/> as its entries (each ended by <c>\n</c>), its text cut into parts of at most <paramref name="maxEntryBytes"/> bytes, never inside a character.</summary>
    public static void Write(LogLine line, IBufferWriter<byte> output, int maxEntryBytes = MaxEntryBytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntryBytes, 4);
        var text = Encoding.UTF8.GetBytes(line.Text).AsSpan();
        var head = Encoding.ASCII.GetBytes($"{Timestamp(line.Time)} {(line.Stream == LogStream.Stderr ? "stderr" : "stdout")} ");
        do
        {
            var count = Math.Min(text.Length, maxEntryBytes);
            while (count < text.Length && count > 0 && (text[count] & 0xC0) == 0x80)
            {
                // Not inside a UTF-8 sequence: back to the start of the character.
                count--;
            }

            output.Write(head);
            output.Write(count < text.Length ? "P "u8 : "F "u8);
            output.Write(text[..count]);
            output.Write("\n"u8);
            text = text[count..];
        }
        while (!text.IsEmpty);
    }

    /// <summary>One entry of a CRI log (without its <c>\n</c>): its time, stream, whether it is a part, and its text; false if it is not one.</summary>
    public static bool TryParse(string entry, out DateTimeOffset time, out LogStream stream, out bool partial, out string text)
    {
        ArgumentNullException.ThrowIfNull(entry);
        (time, stream, partial, text) = (default, LogStream.Stdout, false, "");
        var first = entry.IndexOf(' ', StringComparison.Ordinal);
        var second = first < 0 ? -1 : entry.IndexOf(' ', first + 1);
        if (second < 0 || !TryParseTimestamp(entry[..first], out time))
        {
            return false;
        }

        var name = entry.AsSpan(first + 1, second - first - 1);
        if (!name.SequenceEqual("stdout") && !name.SequenceEqual("stderr"))
        {
            return false;
        }

        stream = name.SequenceEqual("stderr") ? LogStream.Stderr : LogStream.Stdout;

        // The tag is a list split by ':' whose first item is P or F (the CRI's LogTag).
        var third = entry.IndexOf(' ', second + 1);
        var tag = third < 0 ? entry.AsSpan(second + 1) : entry.AsSpan(second + 1, third - second - 1);
        var colon = tag.IndexOf(':');
        var kind = colon < 0 ? tag : tag[..colon];
        if (!kind.SequenceEqual("P") && !kind.SequenceEqual("F"))
        {
            return false;
        }

        partial = kind.SequenceEqual("P");
        text = third < 0 ? "" : entry[(third + 1)..];
        return true;
    }

    /// <summary>The kubelet's <c>RFC3339NanoFixed</c>: always nine fraction digits, in UTC (.NET keeps 100 ns, so the last two are 0).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    /// <summary>An RFC 3339 time with any number of fraction digits (nanoseconds cut to .NET's 100 ns), as Docker and the CRI write them.</summary>
    public static bool TryParseTimestamp(string stamp, out DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        at = default;
        if (stamp.Length < 20 || stamp[4] != '-' || stamp[10] != 'T')
        {
            return false;
        }

        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < stamp.Length && char.IsAsciiDigit(stamp[end]))
            {
                end++;
            }

            stamp = string.Concat(stamp.AsSpan(0, Math.Min(end, dot + 8)), stamp.AsSpan(end));
        }

        return DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }
}
