using System.Buffers;
using System.Text;
using Gateway.Runtimes;

namespace Gateway.Admin;

/// <summary>
/// A log read's bytes, as the kubelet writes them: each line and a <c>\n</c>, with <c>timestamps</c>
/// its time first (RFC 3339 with nine fraction digits, <c>2016-10-06T00:17:09.669794202Z</c>) and a
/// space; with <c>limitBytes</c> everything after that many bytes is cut, mid-line if need be, and the
/// read ends. Not thread-safe: one per request.
/// </summary>
internal sealed class PodLogOutput(bool timestamps, long? limitBytes)
{
    private long? _remaining = limitBytes;

    /// <summary>True once <c>limitBytes</c> have been written: nothing more is.</summary>
    public bool Exhausted => _remaining <= 0;

    /// <summary>The bytes of <paramref name="lines"/>, up to what the limit leaves.</summary>
    public ReadOnlyMemory<byte> Format(IEnumerable<LogLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var line in lines)
        {
            if (Exhausted)
            {
                break;
            }

            var text = timestamps ? $"{Timestamp(line.Time)} {line.Text}\n" : $"{line.Text}\n";
            var bytes = Encoding.UTF8.GetBytes(text).AsSpan();
            if (_remaining is { } remaining)
            {
                bytes = bytes[..(int)Math.Min(bytes.Length, remaining)];
                _remaining = remaining - bytes.Length;
            }

            buffer.Write(bytes);
        }

        return buffer.WrittenMemory;
    }

    /// <summary>The kubelet's <c>RFC3339NanoFixed</c>: always nine fraction digits, in UTC (.NET keeps 100 ns, so the last two are 0).</summary>
    public static string Timestamp(DateTimeOffset time) => CriLogFormat.Timestamp(time);
}
