using System.Buffers;
using System.Globalization;
using Gateway.Specs;

namespace Gateway.Runtimes;

/// <summary>Where one container instance's log goes (<c>.../&lt;restartCount&gt;.log</c>) and how it is bounded.</summary>
public sealed record ContainerLogFileSpec(string Path, ContainerLogSettings Settings);

/// <summary>
/// One container instance's log file in the CRI format, rotated as the kubelet rotates it: once the
/// current file would pass <see cref="ContainerLogSettings.MaxSize"/> it is renamed
/// <c>&lt;n&gt;.log.&lt;yyyyMMdd-HHmmss.ffffff&gt;</c> (names that sort by age) and a new one begun, and
/// the oldest go so that at most <see cref="ContainerLogSettings.MaxFiles"/> remain, the current one
/// included. Each line is counted, from 0, so that a reader can ask for the lines from a position on.
/// </summary>
/// <remarks>
/// Not thread-safe: <see cref="ContainerLog"/>'s lock guards it. Writes go to a buffer; the owner
/// flushes after each read of the container's pipe, and before a reader looks. An error (disk full,
/// permission) stops the file for good, with <see cref="Problem"/> saying why; nothing throws.
/// </remarks>
internal sealed class ContainerLogFile
{
    private const int BufferBytes = 64 * 1024;

    private readonly ContainerLogFileSpec _spec;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _entry = new();

    /// <summary>The rotated files, oldest first, each with the position of its first line.</summary>
    private readonly List<(string Path, long First)> _rotated = [];
    private FileStream? _stream;
    private long _size;
    private long _currentFirst;
    private long _position;

    private ContainerLogFile(ContainerLogFileSpec spec, TimeProvider time)
    {
        _spec = spec;
        _time = time;
    }

    /// <summary>Why the file was given up (then the log lives in memory only); null while it works.</summary>
    public string? Problem { get; private set; }

    /// <summary>The files there are now, oldest first: the rotated ones, then the current one.</summary>
    public IReadOnlyList<string> Files => [.. _rotated.Select(r => r.Path), _spec.Path];

    /// <summary>Makes the folder and a new, empty file (see <see cref="Problem"/> if that failed).</summary>
    public static ContainerLogFile Open(ContainerLogFileSpec spec, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var file = new ContainerLogFile(spec, time);
        file.Try(() =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(spec.Path)!);
            file._stream = Create(spec.Path);
        });
        return file;
    }

    /// <summary>Appends <paramref name="line"/>'s entries, rotating first if they would not fit; false if the file failed now.</summary>
    public bool Write(LogLine line)
    {
        if (_stream is null)
        {
            return true;
        }

        return Try(() =>
        {
            _entry.ResetWrittenCount();
            CriLogFormat.Write(line, _entry);
            if (_size > 0 && _size + _entry.WrittenCount > _spec.Settings.MaxSize)
            {
                Rotate();
            }

            _stream!.Write(_entry.WrittenSpan);
            _size += _entry.WrittenCount;
            _position++;
            if (_entry.Capacity > BufferBytes)
            {
                // A very long line's buffer is not kept for the container's life.
                _entry.Clear();
            }
        });
    }

    /// <summary>Hands what is buffered to the file system, so that readers see it; false if the file failed now.</summary>
    public bool Flush() => _stream is null || Try(() => _stream.Flush());

    /// <summary>The instance has ended: the file is flushed and closed (its lines stay readable).</summary>
    public bool Close()
    {
        var flushed = Flush();
        _stream?.Dispose();
        _stream = null;
        return flushed;
    }

    /// <summary>
    /// The files as they are now, opened (so that a rotation or removal after this does not lose them),
    /// for <see cref="LogFileSnapshot.Read"/>; null if the file failed or they cannot be opened.
    /// </summary>
    public LogFileSnapshot? Snapshot()
    {
        if (Problem is not null)
        {
            return null;
        }

        var parts = new List<(FileStream, long)>();
        try
        {
            foreach (var (path, first) in _rotated.Append((_spec.Path, _currentFirst)))
            {
                parts.Add((new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferBytes), first));
            }

            return new LogFileSnapshot(parts);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (stream, _) in parts)
            {
                stream.Dispose();
            }

            return null;
        }
    }

    private void Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        var at = _time.GetUtcNow().UtcDateTime;
        string rotated;
        while (File.Exists(rotated = $"{_spec.Path}.{at.ToString("yyyyMMdd-HHmmss.ffffff", CultureInfo.InvariantCulture)}"))
        {
            at = at.AddTicks(10);
        }

        File.Move(_spec.Path, rotated);
        _rotated.Add((rotated, _currentFirst));
        while (_rotated.Count > _spec.Settings.MaxFiles - 1)
        {
            File.Delete(_rotated[0].Path);
            _rotated.RemoveAt(0);
        }

        _stream = Create(_spec.Path);
        _size = 0;
        _currentFirst = _position;
    }

    private static FileStream Create(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, BufferBytes);

    private bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = $"cannot write the container log {_spec.Path}: {e.Message}; the log is kept in memory only";
            try
            {
                _stream?.Dispose();
            }
            catch (Exception dispose) when (dispose is IOException or UnauthorizedAccessException)
            {
                // Its buffer could not be written either: already said.
            }

            _stream = null;
            return false;
        }
    }
}

/// <summary>A log's files opened at one moment, oldest first, each with the position of its first line. Disposed after one read.</summary>
internal sealed class LogFileSnapshot(IReadOnlyList<(FileStream Stream, long First)> parts) : IDisposable
{
    /// <summary>
    /// The lines at positions <paramref name="from"/> to before <paramref name="to"/> (what was flushed
    /// when the snapshot was taken), their parts joined; an entry that does not parse is skipped, as the kubelet skips it.
    /// </summary>
    public List<LogLine> Read(long from, long to)
    {
        var lines = new List<LogLine>();
        for (var i = 0; i < parts.Count; i++)
        {
            var (stream, first) = parts[i];
            var end = i + 1 < parts.Count ? parts[i + 1].First : to;
            if (end <= from)
            {
                continue;
            }

            ReadPart(stream, first, Math.Min(end, to), from, lines);
        }

        return lines;
    }

    private static void ReadPart(FileStream stream, long position, long end, long from, List<LogLine> lines)
    {
        var joiner = new CriLineJoiner();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var (start, filled) = (0, 0);
            while (position < end)
            {
                var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    // No whole entry in the buffer: keep the part, make room (more if one entry is longer than it), read on.
                    var kept = filled - start;
                    if (kept == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(start, kept).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    else
                    {
                        buffer.AsSpan(start, kept).CopyTo(buffer);
                    }

                    (start, filled) = (0, kept);
                    var read = stream.Read(buffer, filled, buffer.Length - filled);
                    if (read == 0)
                    {
                        // An entry without its line end is one still being written: not a line yet.
                        return;
                    }

                    filled += read;
                    continue;
                }

                var entry = buffer.AsSpan(start, newline);
                start += newline + 1;
                if (!joiner.Add(entry, decode: position >= from, out var line))
                {
                    continue;
                }

                if (position >= from)
                {
                    lines.Add(line);
                }

                position++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        foreach (var (stream, _) in parts)
        {
            stream.Dispose();
        }
    }
}
