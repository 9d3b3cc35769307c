using System.Runtime.InteropServices;

namespace Gateway.Runtimes.Process;

/// <summary>POSIX signals to a whole process group.</summary>
internal static partial class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/> to every process of the group <paramref name="processGroup"/>.</summary>
    public static bool SendToGroup(int processGroup, int signal) => processGroup > 0 && Kill(-processGroup, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to the one process <paramref name="pid"/>.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
