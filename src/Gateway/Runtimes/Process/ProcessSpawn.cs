using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Starts a container's main process with <c>posix_spawn</c>: in a session (so a process group) of
/// its own, in its working folder, with exactly its environment, every signal at its default and
/// none blocked, stdin on <c>/dev/null</c> and stdout and stderr on pipes the gateway reads. Nothing
/// of <see cref="System.Diagnostics.Process"/> is kept per container: its stream readers and writer
/// cost about 45 KB per process for as long as it runs (bench/probes in bench/README.md).
/// </summary>
internal static unsafe class ProcessSpawn
{
    /// <summary>A started process: its pid, a pidfd for its exit, and the read ends (non-blocking) of its stdout and stderr.</summary>
    public readonly record struct Spawned(int Pid, int Pidfd, int Stdout, int Stderr);

    /// <summary>Adds the file actions that give the child its stdin, stdout and stderr (fds 0, 1 and 2).</summary>
    public delegate void StreamActions(void* fileActions);

    /// <summary>
    /// Runs <paramref name="program"/> (a path, as found on the container's own <c>PATH</c>) with
    /// <paramref name="argv"/> (argv[0] included). Throws <see cref="ContainerStartException"/> when
    /// it cannot start, with the system's reason.
    /// </summary>
    public static Spawned Start(string program, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var stdout = CreatePipe(argv[0]);
        int[]? stderr = null;
        try
        {
            stderr = CreatePipe(argv[0]);
            var (pid, pidfd) = Spawn(program, argv, environment, workingDirectory, fileActions =>
            {
                Check(Libc.FileActionsAddOpen(fileActions, 0, "/dev/null", Libc.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
                Check(Libc.FileActionsAddDup2(fileActions, stdout[1], 1), "posix_spawn_file_actions_adddup2");
                Check(Libc.FileActionsAddDup2(fileActions, stderr[1], 2), "posix_spawn_file_actions_adddup2");
            }, message => new ContainerStartException(message));
            _ = Libc.Close(stdout[1]);
            _ = Libc.Close(stderr[1]);
            return new Spawned(pid, pidfd, stdout[0], stderr[0]);
        }
        catch
        {
            CloseAll(stdout);
            CloseAll(stderr);
            throw;
        }
    }

    /// <summary>
    /// The Process runtime's one <c>posix_spawn</c>, for a container's main process and for the
    /// commands exec'd in it: in a session of its own, in <paramref name="workingDirectory"/>, with
    /// exactly <paramref name="environment"/>, no signal blocked and every signal at its default, its
    /// fds 0-2 as <paramref name="addStreams"/> sets them. Returns its pid and a pidfd for its exit;
    /// what fails is thrown as <paramref name="fail"/> makes it, with the system's reason.
    /// </summary>
    public static (int Pid, int Pidfd) Spawn(string program, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        StreamActions addStreams, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(addStreams);
        ArgumentNullException.ThrowIfNull(fail);
        var argvBlock = default(StringBlock);
        var envpBlock = default(StringBlock);
        var fileActions = NativeMemory.AllocZeroed(Libc.SpawnStructSize);
        var attributes = NativeMemory.AllocZeroed(Libc.SpawnStructSize);
        var signals = NativeMemory.AllocZeroed(Libc.SigsetSize);
        var fileActionsReady = false;
        var attributesReady = false;
        void Must(int error, string call)
        {
            if (error != 0)
            {
                throw fail($"{call}: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }

        try
        {
            argvBlock = new StringBlock(argv);
            envpBlock = new StringBlock(environment.Select(variable => $"{variable.Key}={variable.Value}").ToList());

            Must(Libc.FileActionsInit(fileActions), "posix_spawn_file_actions_init");
            fileActionsReady = true;
            addStreams(fileActions);
            Must(Libc.FileActionsAddChdir(fileActions, workingDirectory), "posix_spawn_file_actions_addchdir_np");

            Must(Libc.AttrInit(attributes), "posix_spawnattr_init");
            attributesReady = true;
            Must(Libc.AttrSetFlags(attributes, Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");
            _ = Libc.SigEmptySet(signals);
            Must(Libc.AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");

            // The runtime ignores SIGPIPE and handles others; a container starts with none of that.
            // Every bit, not sigfillset: glibc's leaves out the two signals it keeps for itself
            // (32 and 33), and posix_spawn then starts the child with those ignored.
            new Span<byte>(signals, Libc.SigsetSize).Fill(0xFF);
            Must(Libc.AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");

            var error = Libc.PosixSpawn(out var pid, program, fileActions, attributes, argvBlock.Pointers, envpBlock.Pointers);
            if (error != 0)
            {
                throw fail($"exec: \"{argv[0]}\": {Marshal.GetPInvokeErrorMessage(error)}");
            }

            var pidfd = Libc.PidfdOpen(pid);
            if (pidfd < 0)
            {
                var reason = Marshal.GetLastPInvokeErrorMessage();
                Signals.SendToGroup(pid, Signals.SIGKILL);
                var siginfo = stackalloc byte[Libc.SiginfoSize];
                Libc.Waitid(Libc.P_PID, (uint)pid, siginfo, Libc.WEXITED);
                throw fail($"exec: \"{argv[0]}\": started as pid {pid} but cannot be watched (pidfd_open: {reason}; the Process runtime needs Linux 5.4 or later)");
            }

            return (pid, pidfd);
        }
        finally
        {
            if (fileActionsReady)
            {
                _ = Libc.FileActionsDestroy(fileActions);
            }

            if (attributesReady)
            {
                _ = Libc.AttrDestroy(attributes);
            }

            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            argvBlock.Dispose();
            envpBlock.Dispose();
        }
    }

    /// <summary>A pipe, both ends close-on-exec (the child gets its end through dup2); the gateway's read end non-blocking.</summary>
    private static int[] CreatePipe(string program)
    {
        var fds = new int[2];
        fixed (int* pointer = fds)
        {
            if (Libc.Pipe2(pointer, Libc.O_CLOEXEC) != 0)
            {
                throw new ContainerStartException($"exec: \"{program}\": cannot create its output pipes: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }

        if (Libc.Fcntl(fds[0], Libc.F_SETFL, Libc.O_NONBLOCK) != 0)
        {
            var reason = Marshal.GetLastPInvokeErrorMessage();
            CloseAll(fds);
            throw new ContainerStartException($"exec: \"{program}\": cannot set up its output pipes: {reason}");
        }

        return fds;
    }

    private static void CloseAll(int[]? fds)
    {
        if (fds is null)
        {
            return;
        }

        foreach (var fd in fds)
        {
            if (fd >= 0)
            {
                _ = Libc.Close(fd);
            }
        }

        fds[0] = fds[1] = -1;
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new ContainerStartException($"{call}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings in native memory, as argv and envp are.</summary>
    private readonly struct StringBlock : IDisposable
    {
        public StringBlock(IReadOnlyList<string> strings)
        {
            Pointers = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
            for (var i = 0; i < strings.Count; i++)
            {
                var value = strings[i];
                var length = Encoding.UTF8.GetByteCount(value);
                var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
                Encoding.UTF8.GetBytes(value, new Span<byte>(bytes, length));
                bytes[length] = 0;
                Pointers[i] = bytes;
            }
        }

        public byte** Pointers { get; }

        public void Dispose()
        {
            if (Pointers is null)
            {
                return;
            }

            for (var i = 0; Pointers[i] is not null; i++)
            {
                NativeMemory.Free(Pointers[i]);
            }

            NativeMemory.Free(Pointers);
        }
    }
}
