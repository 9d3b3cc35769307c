using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// The exit file a monitor writes once its container's program has ended (as conmon's): one line,
/// <c>exited &lt;code&gt; &lt;unix ns&gt;</c> or <c>signaled &lt;signal&gt; &lt;unix ns&gt;</c>. Pure parsing.
/// </summary>
internal static class MonitorExit
{
    /// <summary>The exit in the file at <paramref name="path"/>; a missing or unreadable file is an exit whose status was lost (the monitor was killed).</summary>
    public static ContainerExit Read(string path, int appPid)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Lost(appPid);
        }

        return Parse(text) ?? Lost(appPid);
    }

    /// <summary>The exit the line says (a signal's end is 128 + the signal, as System.Diagnostics.Process reports it); null if it is not one.</summary>
    public static ContainerExit? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Trim().Split(' ');
        if (fields.Length < 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return fields[0] switch
        {
            "exited" => ContainerExit.FromCode(value),
            "signaled" => ContainerExit.FromCode(128 + value),
            _ => null,
        };
    }

    private static ContainerExit Lost(int appPid) =>
        new(-1, "Error", $"the exit status of process {appPid} was lost: its monitor ended without writing it");
}
