using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Starts a container instance under its monitor, <c>gateway-shim</c> (src/Shim, built next to
/// Gateway.dll): the monitor is the process the gateway spawns (in a session of its own, with the
/// container's working folder and environment), and it starts the container's program as its own
/// child, in a session of its own, holding its output (written to <paramref name="log"/>'s CRI file,
/// rotated as <c>Gateway:Logs</c> says) and writing its exit status to the exit file. Nothing of the
/// container then depends on the gateway's process: it goes on when the gateway dies.
/// </summary>
internal static unsafe class MonitorSpawn
{
    public const string FileName = "gateway-shim";

    /// <summary>A started instance: the monitor (pid and a pidfd, readable when it exits, after its child) and the app's pid (its process group).</summary>
    public readonly record struct Monitored(int MonitorPid, int MonitorPidfd, int AppPid);

    /// <summary>The monitor next to the gateway's assembly; null when it is not there (a build without it: then the gateway holds the pipes).</summary>
    public static string? Find()
    {
        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(path) ? path : null;
    }

    /// <summary>The exit file of the instance whose log is <paramref name="logFile"/>: <c>&lt;n&gt;.exit</c> next to <c>&lt;n&gt;.log</c>.</summary>
    public static string ExitFileOf(string logFile) => Path.ChangeExtension(logFile, ".exit");

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="argv"/> under the monitor at
    /// <paramref name="monitor"/>. Throws <see cref="ContainerStartException"/> when either cannot start,
    /// with the system's reason (as posix_spawn's own: <c>exec: "prog": No such file or directory</c>).
    /// </summary>
    public static Monitored Start(string monitor, ContainerLogFileSpec log, string program, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(argv);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(log.Path)!);
            File.Delete(ExitFileOf(log.Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerStartException($"cannot make the log folder of container \"{argv[0]}\": {e.Message}");
        }

        var status = new int[2];
        fixed (int* pointer = status)
        {
            if (Libc.Pipe2(pointer, Libc.O_CLOEXEC) != 0)
            {
                throw new ContainerStartException($"exec: \"{argv[0]}\": cannot create its monitor's status pipe: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }

        int pid, pidfd;
        try
        {
            string[] monitorArgv =
            [
                FileName, ExitFileOf(log.Path), log.Path,
                log.Settings.MaxSize.ToString(CultureInfo.InvariantCulture), log.Settings.MaxFiles.ToString(CultureInfo.InvariantCulture),
                program, .. argv,
            ];
            (pid, pidfd) = ProcessSpawn.Spawn(monitor, monitorArgv, environment, workingDirectory, fileActions =>
            {
                Check(Libc.FileActionsAddOpen(fileActions, 0, "/dev/null", Libc.O_RDONLY, 0));
                Check(Libc.FileActionsAddDup2(fileActions, status[1], 1));
                Check(Libc.FileActionsAddOpen(fileActions, 2, "/dev/null", Libc.O_WRONLY, 0));
            }, message => new ContainerStartException(message));
        }
        finally
        {
            _ = Libc.Close(status[1]);
        }

        string line;
        try
        {
            line = ReadAll(status[0]);
        }
        finally
        {
            _ = Libc.Close(status[0]);
        }

        if (line.StartsWith("pid ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(4).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var app))
        {
            return new Monitored(pid, pidfd, app);
        }

        // The monitor could not start the program: it has exited (or does so now); it is reaped here.
        var siginfo = stackalloc byte[Libc.SiginfoSize];
        Libc.Waitid(Libc.P_PIDFD, (uint)pidfd, siginfo, Libc.WEXITED);
        _ = Libc.Close(pidfd);
        throw new ContainerStartException(line.StartsWith("error ", StringComparison.Ordinal)
            ? line["error ".Length..].TrimEnd()
            : $"exec: \"{argv[0]}\": its monitor {monitor} ended without starting it");
    }

    /// <summary>What the monitor writes on its status pipe before closing it: one short line.</summary>
    private static string ReadAll(int fd)
    {
        var bytes = new List<byte>();
        var buffer = stackalloc byte[512];
        while (true)
        {
            var read = Libc.Read(fd, buffer, 512);
            if (read < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
            {
                continue;
            }

            if (read <= 0)
            {
                return Encoding.UTF8.GetString([.. bytes]);
            }

            bytes.AddRange(new ReadOnlySpan<byte>(buffer, (int)read));
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new ContainerStartException($"posix_spawn_file_actions: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }
}
