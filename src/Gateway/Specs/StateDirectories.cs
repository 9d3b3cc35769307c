namespace Gateway.Specs;

/// <summary>Where a gateway keeps its own files when <c>Gateway:StateDirectory</c> is not set.</summary>
public static class StateDirectories
{
    /// <summary><c>$XDG_STATE_HOME/gateway</c>, else <c>/var/lib/gateway</c> as root, else <c>~/.local/state/gateway</c>.</summary>
    public static string Default()
    {
        if (Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "gateway");
        }

        return Environment.IsPrivilegedProcess
            ? "/var/lib/gateway"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "gateway");
    }
}
