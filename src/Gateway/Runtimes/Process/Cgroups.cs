using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// A way to make cgroups for container instances: cgroup v2 (<see cref="CgroupV2"/>) or v1's memory
/// and cpu hierarchies (<see cref="CgroupV1"/>), whichever this host lets the gateway use, found once
/// at start (<see cref="Cgroups.Host"/>).
/// </summary>
internal interface ICgroupDriver
{
    /// <summary>What it is, for the log: e.g. "cgroup v1 (memory at /sys/fs/cgroup/memory/..., cpu at ...)".</summary>
    string Description { get; }

    /// <summary>The gateway's own groups (<c>gateway-PID</c>) the instances' are made in: one per hierarchy under v1, one under v2.</summary>
    IReadOnlyList<string> Folders { get; }

    /// <summary>Makes the instance's cgroup <paramref name="name"/> with <paramref name="limits"/> written. Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.</summary>
    ICgroup Create(string name, CgroupLimits limits);
}

/// <summary>One container instance's cgroup (one folder per hierarchy under v1, one under v2).</summary>
internal interface ICgroup
{
    /// <summary>Moves <paramref name="pid"/> (and so what it forks from then on) into the group.</summary>
    void Join(int pid);

    /// <summary>Whether the kernel's OOM killer killed a process of the group, once its main process exited with <paramref name="exitCode"/>.</summary>
    bool OomKilled(int exitCode);

    /// <summary>Kills what is left in the group and removes it.</summary>
    void Remove();
}

/// <summary>
/// Finding the host's cgroups (from <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c>) and
/// the file handling both versions share. Each instance's group is made under a group of this
/// gateway's own, <c>gateway-PID</c>, under the cgroup the gateway runs in, so that limits set above
/// the gateway still hold for its containers.
/// </summary>
internal static class Cgroups
{
    private static readonly Lazy<CgroupSupport> HostSupport = new(() => Detect("/proc/self/mountinfo", "/proc/self/cgroup", System.Environment.ProcessId));

    /// <summary>This host's, found at first use (the gateway's start: settings are loaded first).</summary>
    public static CgroupSupport Host => HostSupport.Value;

    /// <summary>What this host offers, reading the two /proc files named; never throws.</summary>
    public static CgroupSupport Detect(string mountInfoPath, string selfCgroupPath, int gatewayPid)
    {
        try
        {
            return Detect(File.ReadAllText(mountInfoPath), File.ReadAllText(selfCgroupPath), gatewayPid, pathPrefix: "");
        }
#pragma warning disable CA1031 // No cgroups is an answer, not a failure of the gateway.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new CgroupSupport(null, $"cannot read the host's cgroups: {e.Message}");
        }
    }

    /// <summary>
    /// The driver for the mounts in <paramref name="mountInfo"/> and the gateway's groups in
    /// <paramref name="selfCgroup"/>: v2 when its memory and cpu controllers can be delegated to a
    /// child of the gateway's group, else v1 when its memory and cpu hierarchies are mounted and
    /// writable, else none with the reason. <paramref name="pathPrefix"/> is prepended to every
    /// mount point (a temp folder standing for the root in tests).
    /// </summary>
    public static CgroupSupport Detect(string mountInfo, string selfCgroup, int gatewayPid, string pathPrefix)
    {
        var mounts = ParseMountInfo(mountInfo);
        var groups = ParseSelfCgroup(selfCgroup);
        var gatewayGroup = "gateway-" + gatewayPid.ToString(CultureInfo.InvariantCulture);
        var problems = new List<string>();

        if (mounts.FirstOrDefault(m => m.FsType == "cgroup2") is { } unified && groups.TryGetValue("", out var unifiedPath))
        {
            var own = Path.Join(pathPrefix + unified.MountPoint, Relative(unifiedPath, unified.Root));
            if (CgroupV2.TryOpen(own, gatewayGroup, out var v2, out var problem))
            {
                return new CgroupSupport(v2, null);
            }

            problems.Add(problem!);
        }

        string? Own(string controller)
        {
            var mount = mounts.FirstOrDefault(m => m.FsType == "cgroup" && m.SuperOptions.Contains(controller, StringComparer.Ordinal));
            return mount is not null && groups.TryGetValue(controller, out var path) ? Path.Join(pathPrefix + mount.MountPoint, Relative(path, mount.Root)) : null;
        }

        if (Own("memory") is { } memory && Own("cpu") is { } cpu)
        {
            if (CgroupV1.TryOpen(memory, cpu, gatewayGroup, out var v1, out var problem))
            {
                return new CgroupSupport(v1, null);
            }

            problems.Add(problem!);
        }
        else
        {
            problems.Add("no cgroup v1 memory and cpu hierarchies are mounted");
        }

        return new CgroupSupport(null, string.Join("; ", problems));
    }

    /// <summary>The mount point, root, file system type and super options of each line of a mountinfo file.</summary>
    public static IReadOnlyList<CgroupMount> ParseMountInfo(string text)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var before = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (before.Length < 5 || after.Length < 3)
            {
                continue;
            }

            mounts.Add(new CgroupMount(Unescape(before[4]), Unescape(before[3]), after[0], after[2].Split(',')));
        }

        return mounts;
    }

    /// <summary>/proc/self/cgroup as controller → path; the v2 group is under "" (its line is "0::/path").</summary>
    public static IReadOnlyDictionary<string, string> ParseSelfCgroup(string text)
    {
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                foreach (var controller in parts[1].Split(','))
                {
                    groups.TryAdd(controller, parts[2]);
                }
            }
        }

        return groups;
    }

    /// <summary>The value of <paramref name="key"/> in a flat keyed file (<c>memory.events</c>, <c>memory.oom_control</c>), null when absent.</summary>
    public static long? KeyedValue(string text, string key)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Writes <paramref name="value"/> to a cgroup file, as one write (the kernel takes a value per write).</summary>
    public static void Write(string file, string value) => File.WriteAllText(file, value);

    /// <summary>SIGKILLs every process left in <paramref name="group"/>, then removes it (retrying while they die, for up to a second).</summary>
    public static void KillAndRemove(string group)
    {
        for (var attempt = 0; attempt < 50 && Directory.Exists(group); attempt++)
        {
            try
            {
                foreach (var pid in ReadPids(Path.Join(group, "cgroup.procs")))
                {
                    Signals.Send(pid, Signals.SIGKILL);
                }

                Directory.Delete(group); // rmdir: a cgroup's files go with it
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(20); // busy: a killed process is not yet gone
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    /// <summary>Removes the gateway's own group when no instance's group is left in it; a busy one stays.</summary>
    public static void RemoveIfEmpty(string group)
    {
        try
        {
            if (Directory.Exists(group) && Directory.GetDirectories(group).Length == 0)
            {
                Directory.Delete(group);
            }
        }
        catch (IOException)
        {
            // Another instance's group was made in it meanwhile: it stays.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static List<int> ReadPids(string file) =>
        File.Exists(file)
            ? File.ReadAllLines(file).Select(line => int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(pid => pid > 0).ToList()
            : [];

    private static string Relative(string path, string root) =>
        root != "/" && path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : path;

    // mountinfo escapes space, tab, newline and backslash as octal.
    private static string Unescape(string text) =>
        text.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}

/// <summary>A line of /proc/self/mountinfo, as far as cgroups matter.</summary>
internal sealed record CgroupMount(string MountPoint, string Root, string FsType, IReadOnlyList<string> SuperOptions);

/// <summary>The host's cgroups: a driver when the gateway may make groups, else why not.</summary>
internal sealed record CgroupSupport(ICgroupDriver? Driver, string? Problem)
{
    public bool CanLimit => Driver is not null;
}
