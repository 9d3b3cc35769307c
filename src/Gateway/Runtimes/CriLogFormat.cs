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

    /// <summary>The bytes of a timestamp and a stream name with the spaces after them: <c>2016-10-06T00:17:09.669794200Z stdout </c>.</summary>
    private const int HeadBytes = 38;

    /// <summary>Writes <paramref name="line"/> as its entries (each ended by <c>\n</c>), its text cut into parts of at most <paramref name="maxEntryBytes"/> bytes, never inside a character.</summary>
    public static void Write(LogLine line, IBufferWriter<byte> output, int maxEntryBytes = MaxEntryBytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(line.Text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntryBytes, 4);
        Span<byte> head = stackalloc byte[HeadBytes];
        WriteTimestamp(line.Time, head);
        (line.Stream == LogStream.Stderr ? " stderr "u8 : " stdout "u8).CopyTo(head[30..]);

        // The common line, short: encoded straight into the output, no copy.
        if (line.Text.Length * 3 <= maxEntryBytes)
        {
            var span = output.GetSpan(HeadBytes + 3 + (line.Text.Length * 3));
            head.CopyTo(span);
            "F "u8.CopyTo(span[HeadBytes..]);
            var count = Encoding.UTF8.GetBytes(line.Text, span[(HeadBytes + 2)..]);
            span[HeadBytes + 2 + count] = (byte)'\n';
            output.Advance(HeadBytes + 3 + count);
            return;
        }

        var text = Encoding.UTF8.GetBytes(line.Text).AsSpan();
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
        var parsed = TryParse(Encoding.UTF8.GetBytes(entry), out time, out stream, out partial, out var bytes);
        text = parsed ? Encoding.UTF8.GetString(bytes) : "";
        return parsed;
    }

    /// <summary>One entry as its bytes (without its <c>\n</c>), its text a slice of them.</summary>
    public static bool TryParse(ReadOnlySpan<byte> entry, out DateTimeOffset time, out LogStream stream, out bool partial, out ReadOnlySpan<byte> text)
    {
        (time, stream, partial) = (default, LogStream.Stdout, false);
        text = default;
        var first = entry.IndexOf((byte)' ');
        if (first < 0 || !TryParseTimestamp(entry[..first], out time))
        {
            return false;
        }

        var rest = entry[(first + 1)..];
        if (rest.StartsWith("stdout "u8) || rest.StartsWith("stderr "u8))
        {
            stream = rest[3] == (byte)'e' ? LogStream.Stderr : LogStream.Stdout;
            rest = rest[7..];
        }
        else
        {
            return false;
        }

        // The tag is a list split by ':' whose first item is P or F (the CRI's LogTag).
        var space = rest.IndexOf((byte)' ');
        var tag = space < 0 ? rest : rest[..space];
        var colon = tag.IndexOf((byte)':');
        var kind = colon < 0 ? tag : tag[..colon];
        if (kind.Length != 1 || (kind[0] != (byte)'P' && kind[0] != (byte)'F'))
        {
            return false;
        }

        partial = kind[0] == (byte)'P';
        text = space < 0 ? default : rest[(space + 1)..];
        return true;
    }

    /// <summary>The kubelet's fixed layout written by hand: this runs once per line written.</summary>
    private static void WriteTimestamp(DateTimeOffset time, Span<byte> into)
    {
        var utc = time.UtcDateTime;
        Digits(into[..4], utc.Year);
        into[4] = (byte)'-';
        Digits(into.Slice(5, 2), utc.Month);
        into[7] = (byte)'-';
        Digits(into.Slice(8, 2), utc.Day);
        into[10] = (byte)'T';
        Digits(into.Slice(11, 2), utc.Hour);
        into[13] = (byte)':';
        Digits(into.Slice(14, 2), utc.Minute);
        into[16] = (byte)':';
        Digits(into.Slice(17, 2), utc.Second);
        into[19] = (byte)'.';
        Digits(into.Slice(20, 7), (int)(utc.Ticks % TimeSpan.TicksPerSecond));
        "00Z"u8.CopyTo(into[27..]);
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>The fixed layout read by hand (what this writer writes); anything else by the general parser.</summary>
    private static bool TryParseTimestamp(ReadOnlySpan<byte> stamp, out DateTimeOffset at)
    {
        at = default;
        if (stamp.Length == 30 && stamp[4] == '-' && stamp[7] == '-' && stamp[10] == 'T' && stamp[13] == ':' && stamp[16] == ':' && stamp[19] == '.' && stamp[29] == 'Z'
            && TryDigits(stamp[..4], out var year) && TryDigits(stamp.Slice(5, 2), out var month) && TryDigits(stamp.Slice(8, 2), out var day)
            && TryDigits(stamp.Slice(11, 2), out var hour) && TryDigits(stamp.Slice(14, 2), out var minute) && TryDigits(stamp.Slice(17, 2), out var second)
            && TryDigits(stamp.Slice(20, 7), out var ticks) && TryDigits(stamp.Slice(27, 2), out _)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && hour < 24 && minute < 60 && second < 60)
        {
            at = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks));
            return true;
        }

        return stamp.Length <= 64 && TryParseTimestamp(Encoding.ASCII.GetString(stamp), out at);
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (d - '0');
        }

        return true;
    }

    /// <summary>The kubelet's <c>RFC3339NanoFixed</c>: always nine fraction digits, in UTC (.NET keeps 100 ns, so the last two are 0).</summary>
    public static string Timestamp(DateTimeOffset time)
    {
        Span<byte> stamp = stackalloc byte[30];
        WriteTimestamp(time, stamp);
        return Encoding.ASCII.GetString(stamp);
    }

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
