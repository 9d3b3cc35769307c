namespace Gateway.Runtimes;

/// <summary>
/// A container instance that can run a command with its streams attached, as the CRI's streaming
/// <c>Exec</c> does for <c>kubectl exec</c>: stdin in, stdout and stderr out as they come, a
/// pseudo-terminal on request, and the command's exit code at the end. Probes use the buffered
/// <see cref="IContainerInstance.ExecAsync"/> instead.
/// </summary>
public interface IInteractiveExec
{
    /// <summary>
    /// Starts <paramref name="spec"/>'s command; what it writes goes to <paramref name="output"/>, one
    /// call at a time per stream. Throws <see cref="ExecStartException"/> when the command cannot start
    /// (no such program, not executable), with the runtime's words for it.
    /// </summary>
    Task<IExecSession> StartExecAsync(ExecSpec spec, ExecOutput output, CancellationToken cancellationToken);
}

/// <summary>What to run and how: argv (no shell), whether stdin is attached, whether to give the command a terminal and of what size.</summary>
public sealed record ExecSpec(IReadOnlyList<string> Command, bool Stdin, bool Tty, TerminalSize? Size = null);

/// <summary>A terminal's size in characters, as <c>kubectl</c> sends it on the resize channel.</summary>
public readonly record struct TerminalSize(ushort Width, ushort Height);

/// <summary>Which of the command's outputs a piece of output came from (with a terminal, all of it is <see cref="Stdout"/>).</summary>
public enum ExecStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>Receives a command's output; awaited before the next piece of the same stream is read, so a slow client slows the command down instead of filling memory.</summary>
public delegate ValueTask ExecOutput(ExecStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

/// <summary>One running command. Disposing it ends the command if it still runs (the client went away).</summary>
public interface IExecSession : IAsyncDisposable
{
    /// <summary>Completes with the command's exit code once it has exited and its output has all gone to the <see cref="ExecOutput"/>.</summary>
    Task<int> Completion { get; }

    /// <summary>Writes to the command's stdin (ignored when stdin is not attached or the command closed it).</summary>
    ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes the command's stdin: it reads end of file (with a terminal: end-of-file character, as a terminal's Ctrl-D).</summary>
    ValueTask CloseStdinAsync();

    /// <summary>Sets the terminal's size (the command gets <c>SIGWINCH</c>); ignored without a terminal.</summary>
    Task ResizeAsync(TerminalSize size, CancellationToken cancellationToken);
}

/// <summary>A command that could not start in the container; the message is the runtime's, as the kubelet passes it on.</summary>
public sealed class ExecStartException(string message, Exception? inner = null) : Exception(message, inner);
