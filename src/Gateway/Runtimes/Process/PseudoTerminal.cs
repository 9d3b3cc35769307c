using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Runtimes.Process;

/// <summary>
/// A pseudo-terminal for <c>kubectl exec -t</c>: the master side the gateway reads and writes, and
/// the path of the slave side the command opens as its controlling terminal. The gateway holds the
/// slave open (without making it its own terminal) until the command has it too: a master whose
/// slave was never opened reads as hung up.
/// </summary>
internal sealed unsafe partial class PseudoTerminal : IDisposable
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const uint TIOCSWINSZ = 0x5414;
    private const int F_DUPFD_CLOEXEC = 1030;

    private int _slave;

    private PseudoTerminal(SafeFileHandle master, int slave, string slavePath)
    {
        Master = master;
        _slave = slave;
        SlavePath = slavePath;
    }

    /// <summary>The master side: what the command writes to its terminal is read here, what is written here is its input.</summary>
    public SafeFileHandle Master { get; }

    /// <summary>The slave's device (<c>/dev/pts/N</c>), for the command to open after <c>setsid</c>, which makes it its controlling terminal.</summary>
    public string SlavePath { get; }

    /// <summary>A new pseudo-terminal of <paramref name="size"/> (when given). Throws <see cref="ExecStartException"/> when the system has none to give.</summary>
    public static PseudoTerminal Open(TerminalSize? size)
    {
        var master = PosixOpenpt(O_RDWR | O_NOCTTY | Libc.O_CLOEXEC);
        if (master < 0)
        {
            throw new ExecStartException($"cannot allocate a terminal: posix_openpt: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        var handle = new SafeFileHandle(master, ownsHandle: true);
        try
        {
            var name = stackalloc byte[128];
            if (Grantpt(master) != 0 || Unlockpt(master) != 0 || PtsnameR(master, name, 128) != 0)
            {
                throw new ExecStartException($"cannot allocate a terminal: {Marshal.GetLastPInvokeErrorMessage()}");
            }

            var path = Marshal.PtrToStringUTF8((nint)name)!;
            var slave = OpenFile(path, O_RDWR | O_NOCTTY | Libc.O_CLOEXEC);
            if (slave < 0)
            {
                throw new ExecStartException($"cannot open the terminal {path}: {Marshal.GetLastPInvokeErrorMessage()}");
            }

            var terminal = new PseudoTerminal(handle, slave, path);
            if (size is { } initial)
            {
                terminal.Resize(initial);
            }

            return terminal;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sets the window size; the terminal's foreground process group gets <c>SIGWINCH</c>.</summary>
    public void Resize(TerminalSize size)
    {
        // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
        var winsize = stackalloc ushort[4];
        winsize[0] = size.Height;
        winsize[1] = size.Width;
        winsize[2] = 0;
        winsize[3] = 0;
        _ = Ioctl((int)Master.DangerousGetHandle(), TIOCSWINSZ, winsize);
    }

    /// <summary>A second fd of the master (close-on-exec), for a writer beside the reader.</summary>
    public SafeFileHandle DuplicateMaster()
    {
        var fd = Libc.Fcntl((int)Master.DangerousGetHandle(), F_DUPFD_CLOEXEC, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new ExecStartException($"cannot set up the terminal: fcntl: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Once the command has the slave open: the gateway's copy goes, so the master reads as hung up when the command's side closes.</summary>
    public void CloseSlave()
    {
        if (_slave >= 0)
        {
            _ = Libc.Close(_slave);
            _slave = -1;
        }
    }

    public void Dispose()
    {
        CloseSlave();
        Master.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int Grantpt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int Unlockpt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    private static partial int PtsnameR(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, void* argument);
}
