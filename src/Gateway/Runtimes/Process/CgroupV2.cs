using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// cgroup v2: a group per instance with <c>memory.max</c> (and <c>memory.swap.max</c> 0, as the
/// kubelet sets it without swap support) and <c>cpu.max</c>, under <c>gateway-PID</c> in the
/// gateway's own group, which must be able to hand the memory and cpu controllers down
/// (<c>cgroup.subtree_control</c>): a group holding processes cannot, except the root, so a
/// gateway under systemd needs <c>Delegate=yes</c> and a group of its own.
/// </summary>
internal sealed class CgroupV2 : ICgroupDriver
{
    private const string Controllers = "+memory +cpu";
    private readonly string _gateway;

    private CgroupV2(string gateway) => _gateway = gateway;

    public string Description => $"cgroup v2 (under {_gateway})";

    public IReadOnlyList<string> Folders => [_gateway];

    /// <summary>The driver for the gateway's own group <paramref name="own"/>, when memory and cpu can be handed down from it to <paramref name="gatewayGroup"/>.</summary>
    public static bool TryOpen(string own, string gatewayGroup, out CgroupV2? driver, out string? problem)
    {
        driver = null;
        var available = File.Exists(Path.Join(own, "cgroup.controllers")) ? File.ReadAllText(Path.Join(own, "cgroup.controllers")).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        if (!available.Contains("memory", StringComparer.Ordinal) || !available.Contains("cpu", StringComparer.Ordinal))
        {
            problem = $"cgroup v2: the memory and cpu controllers are not available in {own} (cgroup.controllers: \"{string.Join(' ', available)}\")";
            return false;
        }

        var probe = new CgroupV2(Path.Join(own, gatewayGroup));
        try
        {
            var existed = Directory.Exists(probe._gateway);
            probe.EnsureGatewayGroup();
            if (!existed)
            {
                Cgroups.RemoveIfEmpty(probe._gateway);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cgroup v2: cannot hand memory and cpu down from {own} (a group that holds processes cannot; delegate a subtree to the gateway): {e.Message}";
            return false;
        }

        driver = probe;
        problem = null;
        return true;
    }

    public ICgroup Create(string name, CgroupLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        EnsureGatewayGroup();
        var group = new Group(this, Path.Join(_gateway, name));
        try
        {
            Directory.CreateDirectory(group.Path);
            if (limits.MemoryBytes is { } bytes)
            {
                Cgroups.Write(Path.Join(group.Path, "memory.max"), bytes.ToString(CultureInfo.InvariantCulture));
                if (File.Exists(Path.Join(group.Path, "memory.swap.max")))
                {
                    Cgroups.Write(Path.Join(group.Path, "memory.swap.max"), "0");
                }
            }

            if (limits.CpuQuotaMicroseconds is not null)
            {
                Cgroups.Write(Path.Join(group.Path, "cpu.max"), limits.CpuMax);
            }

            return group;
        }
        catch
        {
            group.Remove();
            throw;
        }
    }

    // The parent hands the controllers to the gateway's group, which hands them to each instance's.
    private void EnsureGatewayGroup()
    {
        Delegate(Path.GetDirectoryName(_gateway)!);
        Directory.CreateDirectory(_gateway);
        Delegate(_gateway);
    }

    // Only what is missing is written: a group with processes refuses any enabling write.
    private static void Delegate(string group)
    {
        var control = Path.Join(group, "cgroup.subtree_control");
        var enabled = File.Exists(control) ? File.ReadAllText(control).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        if (!enabled.Contains("memory", StringComparer.Ordinal) || !enabled.Contains("cpu", StringComparer.Ordinal))
        {
            Cgroups.Write(control, Controllers);
        }
    }

    private sealed class Group(CgroupV2 driver, string path) : ICgroup
    {
        public string Path => path;

        public void Join(int pid) => Cgroups.Write(System.IO.Path.Join(path, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

        public bool OomKilled(int exitCode)
        {
            var events = System.IO.Path.Join(path, "memory.events");
            return File.Exists(events) && Cgroups.KeyedValue(File.ReadAllText(events), "oom_kill") > 0;
        }

        public void Remove()
        {
            // cgroup.kill (Linux 5.14 on) kills the whole group at once; else one by one.
            var kill = System.IO.Path.Join(path, "cgroup.kill");
            if (File.Exists(kill))
            {
                try
                {
                    Cgroups.Write(kill, "1");
                }
                catch (IOException)
                {
                }
            }

            Cgroups.KillAndRemove(path);
            Cgroups.RemoveIfEmpty(driver._gateway);
        }
    }
}
