namespace Gateway.Runtimes;

/// <summary>
/// One container instance's stdout and stderr: the most recent lines, each with its time and stream,
/// bounded in size (the oldest go first, as a rotated CRI log loses its oldest file). Readers follow it
/// with <see cref="Read"/>: what is kept from a position on, and a task that completes at the next line
/// or at <see cref="Complete"/>, so that a follower waits on a signal instead of polling.
/// </summary>
/// <remarks>
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
    private int _start;

    /// <summary>The position of the oldest kept line: how many were dropped before it.</summary>
    private long _first;
    private int _size;
    private bool _completed;
    private TaskCompletionSource? _changed;

    public ContainerLog(TimeProvider? time = null, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time ?? TimeProvider.System;
        _capacity = capacity;
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
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

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

        changed?.TrySetResult();
    }

    /// <summary>The instance has ended and its output is all in: followers are told, and stop.</summary>
    public void Complete()
    {
        TaskCompletionSource? changed;
        lock (_lock)
        {
            _completed = true;
            changed = _changed;
            _changed = null;
        }

        changed?.TrySetResult();
    }

    /// <summary>
    /// The lines from position <paramref name="from"/> on (from the oldest kept, if those are gone: a
    /// follower too slow for the bound skips what was dropped), where the next read starts, and whether
    /// more can come.
    /// </summary>
    public LogChunk Read(long from = 0)
    {
        lock (_lock)
        {
            var kept = _lines.Count - _start;
            var skip = Math.Max(0, from - _first);
            var count = skip >= kept ? 0 : kept - (int)skip;
            var lines = new LogLine[count];
            _lines.CopyTo(_start + kept - count, lines, 0, count);
            var next = _first + kept;
            if (_completed)
            {
                return new LogChunk(lines, next, Completed: true, Task.CompletedTask);
            }

            _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new LogChunk(lines, next, Completed: false, _changed.Task);
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
