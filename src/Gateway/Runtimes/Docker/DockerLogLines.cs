using System.Text;
using Docker.DotNet;

namespace Gateway.Runtimes.Docker;

/// <summary>
/// Turns the engine's multiplexed log stream (asked for with timestamps) into the container's log:
/// each stream split into lines on its own, each line's time the engine's timestamp in front of it.
/// Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class DockerLogLines(ContainerLog log, TimeProvider time)
{
    private readonly Dictionary<MultiplexedStream.TargetStream, (Decoder Decoder, StringBuilder Line)> _streams = [];

    public void Add(MultiplexedStream.TargetStream target, ReadOnlySpan<byte> bytes)
    {
        if (!_streams.TryGetValue(target, out var stream))
        {
            _streams[target] = stream = (Encoding.UTF8.GetDecoder(), new StringBuilder());
        }

        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var count = stream.Decoder.GetChars(bytes, chars, flush: false);
        foreach (var c in chars.AsSpan(0, count))
        {
            if (c == '\n')
            {
                Append(target, stream.Line.ToString());
                stream.Line.Clear();
            }
            else
            {
                stream.Line.Append(c);
            }
        }

        // One write of the file per chunk of the engine's stream.
        log.Flush();
    }

    /// <summary>The stream has ended: each stream's last line, even without its line end.</summary>
    public void Flush()
    {
        foreach (var (target, stream) in _streams.Where(s => s.Value.Line.Length > 0))
        {
            Append(target, stream.Line.ToString());
        }

        log.Flush();
    }

    private void Append(MultiplexedStream.TargetStream target, string line)
    {
        var (at, text) = Split(line);
        log.Append(new LogLine(at ?? time.GetUtcNow(), target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout, text));
    }

    /// <summary>
    /// A line of <c>docker logs --timestamps</c>: its RFC 3339 timestamp (nanoseconds cut to .NET's
    /// 100 ns) and the text after the one space; a line without one (the rest of a line the engine
    /// split) is all text, with no time.
    /// </summary>
    public static (DateTimeOffset? Time, string Text) Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? line : line[..space];
        return CriLogFormat.TryParseTimestamp(stamp, out var at) ? (at, space < 0 ? "" : line[(space + 1)..]) : (null, line);
    }
}
