using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// Keeps a record of the process groups a gateway started, under its own state folder, so that the
/// next gateway can end the ones a crashed gateway (SIGKILL, power loss) left behind: a restart must
/// not leave a backend running twice. A record holds the process's start time, so a recycled pid is
/// never killed by mistake.
/// </summary>
internal static class OrphanReaper
{
    private const string GroupsFolder = "groups";

    public static void Record(string stateDirectory, int pid)
    {
        if (ProcessStartTime.Of(pid) is { } start)
        {
            var folder = Path.Combine(stateDirectory, GroupsFolder);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, pid.ToString(CultureInfo.InvariantCulture)), start);
        }
    }

    public static void Forget(string stateDirectory, int pid) =>
        File.Delete(Path.Combine(stateDirectory, GroupsFolder, pid.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Kills the process groups recorded by gateways that are no longer running, and removes their
    /// state folders. <paramref name="root"/> holds one folder per gateway, named by its pid.
    /// Returns how many groups were killed.
    /// </summary>
    /// <remarks>The folders in <paramref name="inUse"/> are kept: pods adopted by a later gateway still work in them.</remarks>
    public static int ReapOrphans(string root, int currentGatewayPid, IReadOnlySet<string>? inUse = null)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var killed = 0;
        foreach (var gatewayFolder in Directory.EnumerateDirectories(root))
        {
            if (!int.TryParse(Path.GetFileName(gatewayFolder), NumberStyles.None, CultureInfo.InvariantCulture, out var gatewayPid)
                || gatewayPid == currentGatewayPid || IsGatewayAlive(gatewayPid))
            {
                continue;
            }

            var groups = Path.Combine(gatewayFolder, GroupsFolder);
            if (Directory.Exists(groups))
            {
                foreach (var record in Directory.EnumerateFiles(groups))
                {
                    if (int.TryParse(Path.GetFileName(record), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                        && ProcessStartTime.Is(pid, File.ReadAllText(record))
                        && Signals.SendToGroup(pid, Signals.SIGKILL))
                    {
                        killed++;
                    }
                }
            }

            if (inUse?.Contains(gatewayFolder) == true)
            {
                continue;
            }

            try
            {
                Directory.Delete(gatewayFolder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return killed;
    }

    private static bool IsGatewayAlive(int pid) => ProcessStartTime.Of(pid) is not null;
}
