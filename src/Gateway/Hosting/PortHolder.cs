using System.Globalization;
using System.Text;

namespace Gateway.Hosting;

/// <summary>
/// Finds what holds a TCP port, as <c>ss -ltnp</c> does: the listening socket's inode from
/// <c>/proc/net/tcp</c> and <c>tcp6</c>, then the process whose <c>/proc/PID/fd</c> names that socket.
/// </summary>
internal static class PortHolder
{
    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary><c>held by pid 1234 (nginx -g daemon off;)</c>, or why the holder is not known.</summary>
    public static string Describe(int port)
    {
        try
        {
            var inodes = Tables.Where(File.Exists)
                .SelectMany(f => ListeningInodes(File.ReadAllText(f), port)).ToHashSet();
            if (inodes.Count == 0)
            {
                return "held by a process not visible here (another network namespace, or it has just let go)";
            }

            foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
            {
                if (HoldsAny(pid!, inodes))
                {
                    return pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
                        ? "held by this gateway itself"
                        : $"held by pid {pid} ({CommandLine(pid!)})";
                }
            }

            return "held by a process this user may not inspect (try `ss -ltnp` as root)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "holder unknown";
        }
    }

    /// <summary>The inodes of the sockets listening on <paramref name="port"/> in one <c>/proc/net/tcp</c>-format table.</summary>
    public static IEnumerable<long> ListeningInodes(string table, int port)
    {
        const string Listen = "0A";
        foreach (var line in table.Split('\n').Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != Listen)
            {
                continue;
            }

            var local = fields[1];
            var colon = local.LastIndexOf(':');
            if (colon > 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port
                && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) && inode > 0)
            {
                yield return inode;
            }
        }
    }

    private static bool HoldsAny(string pid, HashSet<long> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode) && inodes.Contains(inode))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just exited.
        }

        return false;
    }

    private static string CommandLine(string pid)
    {
        try
        {
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var text = Specs.GoSyntax.OneLine(argv.Length > 0 ? string.Join(' ', argv) : File.ReadAllText($"/proc/{pid}/comm"));
            return text.Length <= 120 ? text : new StringBuilder(text, 0, 117, 120).Append("...").ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "command line unknown";
        }
    }
}
