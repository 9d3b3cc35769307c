using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// A process's start time, field 22 of <c>/proc/PID/stat</c> (clock ticks since boot): with its pid it
/// names one process for good, so a pid the kernel gave to another process since is never taken for it.
/// </summary>
internal static class ProcessStartTime
{
    /// <summary>The start time of <paramref name="pid"/>; null when it is gone (or a zombie, which has ended).</summary>
    public static string? Of(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : fields[19];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> runs and is the process that started at <paramref name="startTime"/>.</summary>
    public static bool Is(int pid, string? startTime) => startTime is { Length: > 0 } && Of(pid) == startTime;
}
