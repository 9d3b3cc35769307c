namespace Gateway.Runtimes;

/// <summary>The end of a command run inside a container instance.</summary>
/// <param name="ExitCode">The command's exit code; -1 when it timed out and was killed.</param>
/// <param name="Output">stdout and stderr interleaved, cut to the size the caller asked for.</param>
/// <param name="TimedOut">True when the command ran past its timeout and was killed.</param>
public sealed record ExecResult(int ExitCode, string Output, bool TimedOut);
