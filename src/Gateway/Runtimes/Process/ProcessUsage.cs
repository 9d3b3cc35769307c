using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The usage of a Process container, read from <c>/proc</c> over its process group (the container's
/// main process is a session and group leader; what it starts stays in the group unless it leaves
/// with <c>setsid</c>/<c>setpgid</c>). CPU is the sum of <c>utime + stime + cutime + cstime</c> of
/// every member: a member's reaped children's time moves into its <c>cutime</c>, so the sum does not
/// drop when a short-lived child exits. Memory is the sum of the members' resident sets
/// (<c>/proc/PID/statm</c>), which counts pages they share once per member: the group has no cgroup
/// to read a working set from.
/// </summary>
internal static class ProcessUsage
{
    /// <summary>
    /// The unit of the times in <c>/proc/PID/stat</c>: <c>USER_HZ</c>, which the kernel fixes at 100
    /// for what it exports to user space, whatever its internal tick rate.
    /// </summary>
    public const int ClockTicksPerSecond = 100;

    /// <summary>The fields of <c>/proc/PID/stat</c> the usage is made of (times in clock ticks).</summary>
    public sealed record Stat(int ProcessGroup, long UserTicks, long SystemTicks, long ChildUserTicks, long ChildSystemTicks)
    {
        public long TotalTicks => UserTicks + SystemTicks + ChildUserTicks + ChildSystemTicks;
    }

    /// <summary>
    /// Parses the text of <c>/proc/PID/stat</c>; null when it is not one. The command name (field 2)
    /// is in parentheses and may itself hold spaces and parentheses, so fields are counted from the
    /// last <c>)</c>: then state (3), ppid (4), pgrp (5), ..., utime (14), stime (15), cutime (16), cstime (17).
    /// </summary>
    public static Stat? ParseStat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") ": fields[0] is field 3 (state).
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15
            || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            || !TryTicks(fields[11], out var user) || !TryTicks(fields[12], out var system)
            || !TryTicks(fields[13], out var childUser) || !TryTicks(fields[14], out var childSystem))
        {
            return null;
        }

        return new Stat(group, user, system, childUser, childSystem);
    }

    /// <summary>Parses the text of <c>/proc/PID/statm</c> (sizes in pages: total, resident, shared, ...) for the resident pages; null when it is not one.</summary>
    public static long? ParseResidentPages(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages : null;
    }

    /// <summary>The usage of a group whose members' stats and resident pages are <paramref name="members"/>; null when it has none.</summary>
    public static ContainerUsage? Sum(IReadOnlyCollection<(Stat Stat, long ResidentPages)> members, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(members);
        return members.Count == 0 ? null : new ContainerUsage(
            TimeSpan.FromSeconds((double)members.Sum(m => m.Stat.TotalTicks) / ClockTicksPerSecond),
            members.Sum(m => m.ResidentPages) * pageSize);
    }

    /// <summary>Reads the usage of process group <paramref name="group"/> from <c>/proc</c> now; null when none of its processes is left.</summary>
    public static ContainerUsage? Read(int group)
    {
        List<(Stat, long)> members = [];
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && ReadOrNull(Path.Combine(folder, "stat")) is { } text && ParseStat(text) is { } stat && stat.ProcessGroup == group
                && ReadOrNull(Path.Combine(folder, "statm")) is { } statm)
            {
                members.Add((stat, ParseResidentPages(statm) ?? 0));
            }
        }

        return Sum(members, Environment.SystemPageSize);
    }

    /// <summary>The file's text; null when its process has exited meanwhile (or may not be read).</summary>
    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryTicks(string field, out long ticks) => long.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out ticks);
}
