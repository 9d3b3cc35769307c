namespace Gateway.Runtimes;

/// <summary>Which of a container's output pipes a line came from, as the CRI log format names them.</summary>
public enum LogStream
{
    Stdout,
    Stderr,
}

/// <summary>
/// One line a container wrote, without its line end: the time the runtime read it (the kubelet's CRI
/// log records the same) and its stream, so that <c>timestamps</c> and <c>sinceTime</c> can be answered.
/// </summary>
public readonly record struct LogLine(DateTimeOffset Time, LogStream Stream, string Text);
