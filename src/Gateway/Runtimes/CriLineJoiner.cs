using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Runtimes;

/// <summary>
/// Joins a CRI log's entries into lines, as the kubelet does: <c>P</c> entries are kept per stream until
/// the <c>F</c> entry that ends their line. An entry that does not parse is skipped. One per reader.
/// </summary>
internal sealed class CriLineJoiner
{
    private readonly Dictionary<LogStream, (DateTimeOffset Time, List<byte> Text)> _pending = [];

    /// <summary>
    /// Adds one entry (without its line end); true when it ends a line, which is then
    /// <paramref name="line"/> (its text decoded only when <paramref name="decode"/>: a skipped line costs no string).
    /// </summary>
    public bool Add(ReadOnlySpan<byte> entry, bool decode, out LogLine line)
    {
        line = default;
        if (!CriLogFormat.TryParse(entry, out var time, out var stream, out var partial, out var text))
        {
            return false;
        }

        if (partial)
        {
            if (!_pending.TryGetValue(stream, out var part))
            {
                _pending[stream] = part = (time, []);
            }

            part.Text.AddRange(text);
            return false;
        }

        if (_pending.Remove(stream, out var started))
        {
            started.Text.AddRange(text);
            line = new LogLine(started.Time, stream, Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(started.Text)));
        }
        else
        {
            line = new LogLine(time, stream, decode ? Encoding.UTF8.GetString(text) : "");
        }

        return true;
    }
}
