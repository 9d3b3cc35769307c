namespace Gateway.Runtimes;

/// <summary>
/// One container instance's stdout and stderr: the most recent lines, each with its time and stream,
/// bounded in size (the oldest go first, as a rotated CRI log loses its oldest file). Readers follow it
/// with <see cref="Read"/>: what is kept from a position on, and a task that completes at the next line
/// or at <see cref="Complete"/>, so that a follower waits on a signal instead of polling.
/// </summary>
/// <remarks>
/// <para>With a file (<see cref="ContainerLogFileSpec"/>) the file is the record: each line goes to it as
/// it is appended (buffered; the writer calls <see cref="Flush"/> after each read of its pipe), and a
/// read goes to the files (across rotated ones), except a follower's next read, which the lines kept
/// in memory serve. A file that fails (disk full, permission) is said once to <c>fileFailed</c> and
/// given up; the log goes on in memory.</para>
/// Many threads: one writer per pipe, any number of readers. One lock guards the lines; the signal is
/// made only when a reader asks for it and completed outside the lock, so that a writer with no
/// follower pays nothing for it and a follower's continuation never runs under the lock.
/// </remarks>
public sealed class ContainerLog
{
    /// <summary>What an instance keeps by default, counted as the characters of its lines plus a line end each.</summary>
    public const int DefaultCapacity = 256 * 1024;

    private readonly Lock _lock = new();
    /// <summary>The kept lines from <see cref="_start"/> on; the dropped ones before it are cut off in bulk, so that a read from a position is a copy, not a walk.</summary>
    private readonly List<LogLine> _lines = [];
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ContainerLogFile? _file;
    private readonly Action<string> _fileFailed;
    private int _start;

    /// <summary>Files another process writes (a monitor's, see Process/MonitorLogFollower), read as <see cref="_file"/>'s are; null: none.</summary>
    private Func<LogFileSnapshot?>? _followed;

    /// <summary>The position of the oldest kept line: how many were dropped before it.</summary>
    private long _first;
    private int _size;
    private bool _completed;
    private TaskCompletionSource? _changed;

    public ContainerLog(TimeProvider? time = null, int capacity = DefaultCapacity, ContainerLogFileSpec? file = null, Action<string>? fileFailed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time ?? TimeProvider.System;
        _capacity = capacity;
        _fileFailed = fileFailed ?? (static _ => { });
        if (file is not null)
        {
            _file = ContainerLogFile.Open(file, _time);
            if (_file.Problem is { } problem)
            {
                _fileFailed(problem);
            }
        }
    }

    /// <summary>
    /// The log of the instance <paramref name="launch"/> starts: in its file, if it has one, a failure of
    /// which is a warning in the gateway's log and a <c>Warning</c> event on the pod.
    /// </summary>
    public static ContainerLog For(ContainerLaunch launch, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return new ContainerLog(file: launch.LogFile, fileFailed: problem =>
        {
            logger.LogWarning("pod {Pod} container {Container}: {Problem}", launch.PodName, launch.Container.Name, problem);
            launch.RecordEvent(Events.EventType.Warning, "LogFileFailed", problem);
        });
    }

    /// <summary>
    /// The lines are appended by a follower of files another process writes: a read from the start
    /// (or from before the lines kept in memory) reads those files, as it reads the log's own.
    /// </summary>
    internal void ReadFilesWith(Func<LogFileSnapshot?> snapshot)
    {
        lock (_lock)
        {
            _followed = snapshot;
        }
    }

    /// <summary>The files of the log now, oldest first (none without a file, or once it failed).</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_lock)
            {
                return _file is { Problem: null } file ? file.Files : [];
            }
        }
    }

    /// <summary>True once the instance has ended and all it wrote is here: no line comes after.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>A line on stdout, read now.</summary>
    public void Append(string line) => Append(LogStream.Stdout, line);

    /// <summary>A line on <paramref name="stream"/>, read now.</summary>
    public void Append(LogStream stream, string line) => Append(new LogLine(_time.GetUtcNow(), stream, line));

    /// <summary>A line with the time its runtime gave it (Docker's own timestamps). Ignored once the log is complete.</summary>
    public void Append(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line.Text);
        TaskCompletionSource? changed;
        string? failed;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            failed = _file is not null && !_file.Write(line) ? _file.Problem : null;
            _lines.Add(line);
            _size += SizeOf(line);
            while (_size > _capacity && _lines.Count - _start > 1)
            {
                _size -= SizeOf(_lines[_start]);
                _start++;
                _first++;
            }

            if (_start > 1024 && _start > _lines.Count / 2)
            {
                _lines.RemoveRange(0, _start);
                _start = 0;
            }

            changed = _changed;
            _changed = null;
        }

        Report(failed);
        changed?.TrySetResult();
    }

    /// <summary>What was appended goes to the file now (the writers call it after each read of their pipe), for readers of the file.</summary>
    public void Flush()
    {
        string? failed;
        lock (_lock)
        {
            failed = _file is not null && !_completed && !_file.Flush() ? _file.Problem : null;
        }

        Report(failed);
    }

    /// <summary>The instance has ended and its output is all in: the file is closed, followers are told, and stop.</summary>
    public void Complete()
    {
        TaskCompletionSource? changed;
        string? failed;
        lock (_lock)
        {
            failed = _file is not null && !_completed && !_file.Close() ? _file.Problem : null;
            _completed = true;
            changed = _changed;
            _changed = null;
        }

        Report(failed);
        changed?.TrySetResult();
    }

    /// <summary>
    /// The lines from position <paramref name="from"/> on (from the oldest kept, if those are gone: a
    /// follower too slow for the bound skips what was dropped), where the next read starts, and whether
    /// more can come. With a file, a first read (<c>from</c> 0) or one from before the lines in memory reads the files.
    /// </summary>
    public LogChunk Read(long from = 0)
    {
        LogFileSnapshot? snapshot = null;
        Func<LogFileSnapshot?>? followed = null;
        long next;
        bool completed;
        Task changed;
        string? failed = null;
        lock (_lock)
        {
            var file = _file is { Problem: null } own ? own : null;
            if ((file is null && _followed is null) || (from > 0 && from >= _first))
            {
                return ReadMemory(from);
            }

            if (file is not null && !_completed && !file.Flush())
            {
                failed = file.Problem;
            }
            else if (file is not null)
            {
                snapshot = file.Snapshot();
            }
            else
            {
                followed = _followed;
            }

            (next, completed, changed) = (_first + _lines.Count - _start, _completed, Signal());
        }

        // Outside the lock: the follower appends under its own lock, then takes this one.
        snapshot ??= followed?.Invoke();

        Report(failed);
        if (snapshot is null)
        {
            lock (_lock)
            {
                return ReadMemory(from);
            }
        }

        using (snapshot)
        {
            try
            {
                return new LogChunk(snapshot.Read(from, next), next, completed, changed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lock (_lock)
                {
                    return ReadMemory(from);
                }
            }
        }
    }

    /// <summary>The lines kept in memory from <paramref name="from"/> on; under the lock.</summary>
    private LogChunk ReadMemory(long from)
    {
        var kept = _lines.Count - _start;
        var skip = Math.Max(0, from - _first);
        var count = skip >= kept ? 0 : kept - (int)skip;
        var lines = new LogLine[count];
        _lines.CopyTo(_start + kept - count, lines, 0, count);
        return new LogChunk(lines, _first + kept, _completed, Signal());
    }

    /// <summary>The task that completes at the next line or at the end; under the lock.</summary>
    private Task Signal() =>
        _completed ? Task.CompletedTask : (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>A file that failed now is said once, outside the lock.</summary>
    private void Report(string? failed)
    {
        if (failed is not null)
        {
            _fileFailed(failed);
        }
    }

    /// <summary>The kept lines as text, each ended by <c>\n</c> (the termination message's fallback reads this).</summary>
    public override string ToString()
    {
        var chunk = Read();
        var text = new System.Text.StringBuilder();
        foreach (var line in chunk.Lines)
        {
            text.Append(line.Text).Append('\n');
        }

        return text.ToString();
    }

    private static int SizeOf(LogLine line) => line.Text.Length + 1;
}

/// <summary>
/// What one <see cref="ContainerLog.Read"/> found: <paramref name="Lines"/>, the position after them,
/// and, unless <paramref name="Completed"/>, a task that completes when there is more to read.
/// </summary>
public sealed record LogChunk(IReadOnlyList<LogLine> Lines, long Next, bool Completed, Task Changed);
