using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Runs a command (argv, no shell) as a host process, capturing stdout and stderr into one bounded
/// buffer and killing the whole process tree when it runs past its timeout.
/// </summary>
/// <remarks>
/// A program that cannot be found or started does not throw: like a container runtime's exec, the
/// result is exit code 127 (not found) or 126 (found but not executable) with the reason as output,
/// so an exec probe fails the way it would in a cluster instead of being discarded as an error.
/// </remarks>
internal static class ProcessExec
{
    /// <summary>Output kept by default: the kubelet's 10 KiB.</summary>
    public const int DefaultOutputLimit = 10 * 1024;

    public const int ExitNotFound = 127;
    public const int ExitNotExecutable = 126;

    /// <summary>
    /// How long output is still read once the command has exited or been killed: the pipes close at
    /// once unless a child the command left behind holds them open, and that child is not waited for.
    /// </summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    public static async Task<ExecResult> RunAsync(
        IReadOnlyList<string> argv,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout,
        int outputLimit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentOutOfRangeException.ThrowIfZero(argv.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(outputLimit);

        var program = FindProgram(argv[0], workingDirectory, environment);
        if (program is null)
        {
            return new ExecResult(ExitNotFound, $"exec: \"{argv[0]}\": executable file not found in $PATH", TimedOut: false);
        }

        // A bare name keeps its argv[0] (messages read "cat: ...", not "/usr/bin/cat: ..."); .NET finds it on PATH again.
        var startInfo = new ProcessStartInfo(argv[0].Contains('/', StringComparison.Ordinal) ? program : argv[0])
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        for (var i = 1; i < argv.Count; i++)
        {
            startInfo.ArgumentList.Add(argv[i]);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = new System.Diagnostics.Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            return new ExecResult(ExitNotExecutable, $"exec: \"{argv[0]}\": {exception.Message}", TimedOut: false);
        }

        process.StandardInput.Close();
        var output = new BoundedOutput(outputLimit);
        var readers = Task.WhenAll(
            output.CopyFromAsync(process.StandardOutput.BaseStream),
            output.CopyFromAsync(process.StandardError.BaseStream));

        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await readers.WaitAsync(OutputGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            return new ExecResult(-1, output.ToString(), TimedOut: true);
        }

        await readers.WaitAsync(OutputGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return new ExecResult(process.ExitCode, output.ToString(), TimedOut: false);
    }

    /// <summary>
    /// argv[0] as execvp finds it: a name with a slash is a path (relative to the working directory),
    /// any other name is looked up in the command's own PATH.
    /// </summary>
    internal static string? FindProgram(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        if (name.Length == 0)
        {
            return null;
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.Combine(workingDirectory, name);
            return File.Exists(path) ? path : null;
        }

        var searchPath = environment.TryGetValue("PATH", out var value) ? value : Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.IsPathRooted(directory) ? directory : Path.Combine(workingDirectory, directory), name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || IsExecutable(candidate)))
            {
                return candidate;
            }
        }

        return null;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static void KillTree(System.Diagnostics.Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the timeout and the kill.
        }
    }

    /// <summary>stdout and stderr in the order they arrive, cut at the limit; the rest is read and dropped.</summary>
    private sealed class BoundedOutput(int limit)
    {
        private readonly Lock _lock = new();
        private readonly byte[] _bytes = new byte[limit];
        private int _length;

        public async Task CopyFromAsync(Stream source)
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer)) > 0)
                {
                    lock (_lock)
                    {
                        var count = Math.Min(limit - _length, read);
                        buffer.AsSpan(0, count).CopyTo(_bytes.AsSpan(_length));
                        _length += count;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // The process was disposed while a child it left behind still held the pipe.
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_bytes, 0, _length);
            }
        }
    }
}
