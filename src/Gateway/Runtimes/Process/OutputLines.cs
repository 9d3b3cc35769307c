using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// One of a container's output pipes (<paramref name="stream"/>) into its log, line by line as <see cref="StreamReader.ReadLine"/>
/// splits them (<c>\n</c>, <c>\r</c> or <c>\r\n</c>; the last line even without one, at
/// <see cref="Flush"/>). It holds no buffer of its own between reads: only a partial line, if any.
/// Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class OutputLines(ContainerLog log, LogStream stream = LogStream.Stdout)
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private StringBuilder? _line;
    private bool _lastWasCarriageReturn;

    public void Add(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        Span<char> chars = stackalloc char[512];
        while (!bytes.IsEmpty)
        {
            _decoder.Convert(bytes, chars, flush: false, out var bytesUsed, out var charsUsed, out _);
            bytes = bytes[bytesUsed..];
            AddChars(chars[..charsUsed]);
        }

        // One write of the file per read of the pipe: a follower of the file sees each line, a fast writer costs one call per chunk.
        log.Flush();
    }

    /// <summary>The pipe has closed: what is left of the last line goes to the log.</summary>
    public void Flush()
    {
        Span<char> chars = stackalloc char[8];
        _decoder.Convert([], chars, flush: true, out _, out var charsUsed, out _);
        AddChars(chars[..charsUsed]);
        if (_line is { Length: > 0 })
        {
            log.Append(stream, _line.ToString());
            _line = null;
        }

        log.Flush();
    }

    private void AddChars(ReadOnlySpan<char> chars)
    {
        while (!chars.IsEmpty)
        {
            if (_lastWasCarriageReturn)
            {
                _lastWasCarriageReturn = false;
                if (chars[0] == '\n')
                {
                    chars = chars[1..];
                    continue;
                }
            }

            var end = chars.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                (_line ??= new StringBuilder()).Append(chars);
                return;
            }

            if (_line is { Length: > 0 })
            {
                log.Append(stream, _line.Append(chars[..end]).ToString());

                // A long partial line's builder is not kept for the container's life.
                _line = null;
            }
            else
            {
                log.Append(stream, new string(chars[..end]));
            }

            _lastWasCarriageReturn = chars[end] == '\r';
            chars = chars[(end + 1)..];
        }
    }
}
