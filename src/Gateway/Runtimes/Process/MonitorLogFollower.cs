using System.Collections.Concurrent;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Reads the CRI log file a monitor writes (see <see cref="MonitorSpawn"/>) into the instance's
/// <see cref="ContainerLog"/>, as <c>tail -F</c> follows a file: what is appended, then, when the
/// monitor has rotated it (the open file got a <c>&lt;n&gt;.log.&lt;time&gt;</c> name), the files after it
/// in age order and the new current one. One thread polls every followed file: every 100 ms while
/// they are idle (a size check each), every 2 ms while one of them grows, so that a fast writer's
/// rotated files are read before the monitor removes them. The last read, when the monitor has
/// exited, takes whatever is left, then completes the log.
/// </summary>
internal sealed class MonitorLogFollower : IDisposable
{
    private static readonly TimeSpan IdlePeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BusyPeriod = TimeSpan.FromMilliseconds(2);
    private static readonly ConcurrentDictionary<MonitorLogFollower, byte> Followed = new();
    private static readonly Thread Poller = StartPoller();

    private readonly string _path;
    private readonly ContainerLog _log;
    private readonly Lock _lock = new();
    private readonly List<byte> _pending = [];
    private readonly CriLineJoiner _joiner = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private FileStream? _stream;

    /// <summary>The files read so far that may still be there, oldest first, each with the position of its first line (the lines counted from 0).</summary>
    private readonly List<(string Path, long First)> _files = [];
    private long _position;
    private bool _finished;

    private MonitorLogFollower(string path, ContainerLog log)
    {
        _path = Path.GetFullPath(path);
        _log = log;
    }

    /// <summary>
    /// Follows <paramref name="path"/> into <paramref name="log"/>; with <paramref name="fromOldest"/>
    /// (an adopted instance) its rotated files are read first, so that its log has what it wrote before.
    /// </summary>
    public static MonitorLogFollower Start(string path, ContainerLog log, bool fromOldest)
    {
        var follower = new MonitorLogFollower(path, log);
        lock (follower._lock)
        {
            follower.Open(fromOldest ? follower.RotatedAfter(null).FirstOrDefault() ?? follower._path : follower._path);
            _ = follower.ReadAvailable();
        }

        log.ReadFilesWith(follower.Snapshot);
        Followed[follower] = 0;
        _ = Poller; // the thread starts with the first follower
        return follower;
    }

    /// <summary>The monitor has exited, so nothing more is written: reads the rest and completes the log.</summary>
    public void Finish()
    {
        Followed.TryRemove(this, out _);
        lock (_lock)
        {
            if (_finished)
            {
                return;
            }

            _ = ReadAvailable();
            _finished = true;
            _stream?.Dispose();
            _stream = null;
        }

        _log.Complete();
    }

    /// <summary>Stops reading, without completing the log: the instance is no longer this gateway's to follow.</summary>
    public void Dispose()
    {
        Followed.TryRemove(this, out _);
        lock (_lock)
        {
            _finished = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    private static Thread StartPoller()
    {
        var thread = new Thread(static () =>
        {
            while (true)
            {
                var busy = false;
                foreach (var follower in Followed.Keys)
                {
                    try
                    {
                        lock (follower._lock)
                        {
                            busy |= !follower._finished && follower.ReadAvailable();
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Nothing here should throw; if something does, that log stops being followed and the others go on.
                        Followed.TryRemove(follower, out _);
                    }
                }

                Thread.Sleep(busy ? BusyPeriod : IdlePeriod);
            }
        })
        { IsBackground = true, Name = "Process container logs" };
        thread.Start();
        return thread;
    }

    /// <summary>Reads to the end of the open file, and on to the files that came after it if it was rotated; under the lock. True if it read something.</summary>
    private bool ReadAvailable()
    {
        var any = false;
        for (var files = 0; files < 64; files++)
        {
            if (_stream is null && !Open(_path))
            {
                return any;
            }

            try
            {
                int read;
                while ((read = _stream!.Read(_buffer)) > 0)
                {
                    Add(_buffer.AsSpan(0, read));
                    any = true;
                }
            }
            catch (IOException)
            {
                return any;
            }

            // At the end of the open file: if it still is the current one, that is all for now.
            var current = CurrentName();
            if (current is null || current == _path)
            {
                return any;
            }

            // The file read to its end was renamed: it is a rotated one now, under that name.
            _files[^1] = (current, _files[^1].First);
            var next = RotatedAfter(Path.GetFileName(current)).FirstOrDefault() ?? _path;
            if (!Open(next))
            {
                return any;
            }
        }

        return any;
    }

    /// <summary>The name the open file has now (the monitor renames it when it rotates it); null if unknown.</summary>
    private string? CurrentName()
    {
        if (_stream is null)
        {
            return null;
        }

        try
        {
            // A size that differs from the path's is the only sign worth a readlink.
            if (new FileInfo(_path) is { Exists: true } info && info.Length == _stream.Length)
            {
                return _path;
            }

            var target = File.ResolveLinkTarget($"/proc/self/fd/{_stream.SafeFileHandle.DangerousGetHandle()}", returnFinalTarget: false)?.FullName;
            return target?.EndsWith(" (deleted)", StringComparison.Ordinal) == true ? target[..^" (deleted)".Length] : target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The rotated files of this log newer than <paramref name="name"/> (all with null), oldest first: their names sort by age.</summary>
    private IEnumerable<string> RotatedAfter(string? name)
    {
        var folder = Path.GetDirectoryName(_path)!;
        var prefix = Path.GetFileName(_path) + ".";
        try
        {
            return [.. Directory.EnumerateFiles(folder, prefix + "*")
                .Where(f => Path.GetFileName(f) is var n && n.Length > prefix.Length && char.IsAsciiDigit(n[prefix.Length])
                    && (name is null || string.CompareOrdinal(n, name) > 0))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private bool Open(string path)
    {
        _stream?.Dispose();
        _stream = null;
        _pending.Clear();
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            _files.Add((path, _position));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The files as they are now, caught up first (so that a rotation is known), opened for one read
    /// (see <see cref="LogFileSnapshot"/>); the ones the monitor has removed since are left out.
    /// </summary>
    private LogFileSnapshot? Snapshot()
    {
        lock (_lock)
        {
            if (!_finished)
            {
                _ = ReadAvailable();
            }

            var parts = new List<(FileStream, long)>();
            _files.RemoveAll(f => !File.Exists(f.Path));
            foreach (var (path, first) in _files)
            {
                try
                {
                    parts.Add((new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024), first));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed by a rotation just now: its lines are gone, as the kubelet's would be.
                }
            }

            // None left (the pod's folder is gone): the lines kept in memory serve.
            return parts.Count == 0 ? null : new LogFileSnapshot(parts);
        }
    }

    /// <summary>Whole entries go to the log (parts joined, as the kubelet joins them); a last entry without its line end waits for it.</summary>
    private void Add(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _pending.AddRange(bytes);
                return;
            }

            if (_pending.Count > 0)
            {
                _pending.AddRange(bytes[..newline]);
                Entry(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending));
                _pending.Clear();
            }
            else
            {
                Entry(bytes[..newline]);
            }

            bytes = bytes[(newline + 1)..];
        }
    }

    private void Entry(ReadOnlySpan<byte> entry)
    {
        if (_joiner.Add(entry, decode: true, out var line))
        {
            _position++;
            _log.Append(line);
        }
    }
}
