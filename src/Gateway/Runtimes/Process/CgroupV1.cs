using System.Globalization;

namespace Gateway.Runtimes.Process;

/// <summary>
/// cgroup v1: a group in the memory hierarchy (<c>memory.limit_in_bytes</c>) and one in the cpu
/// hierarchy (<c>cpu.cfs_quota_us</c> per <c>cpu.cfs_period_us</c>) for each instance, both named
/// alike under <c>gateway-PID</c> in the gateway's own groups.
/// </summary>
internal sealed class CgroupV1 : ICgroupDriver
{
    private readonly string _memory;
    private readonly string _cpu;

    private CgroupV1(string memoryGateway, string cpuGateway)
    {
        _memory = memoryGateway;
        _cpu = cpuGateway;
    }

    public string Description => $"cgroup v1 (memory under {_memory}, cpu under {_cpu})";

    public IReadOnlyList<string> Folders => [_memory, _cpu];

    /// <summary>
    /// The driver for the gateway's groups <paramref name="memoryOwn"/> and <paramref name="cpuOwn"/>,
    /// when the gateway may make a child in each (tried by making and removing <paramref name="gatewayGroup"/>).
    /// </summary>
    public static bool TryOpen(string memoryOwn, string cpuOwn, string gatewayGroup, out CgroupV1? driver, out string? problem)
    {
        driver = null;
        foreach (var (own, file) in new[] { (memoryOwn, "memory.limit_in_bytes"), (cpuOwn, "cpu.cfs_quota_us") })
        {
            if (!File.Exists(Path.Join(own, file)))
            {
                problem = $"cgroup v1: {own} has no {file}";
                return false;
            }

            var probe = Path.Join(own, gatewayGroup);
            try
            {
                var existed = Directory.Exists(probe);
                Directory.CreateDirectory(probe);
                if (!existed)
                {
                    Cgroups.RemoveIfEmpty(probe);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"cgroup v1: cannot make a group in {own}: {e.Message}";
                return false;
            }
        }

        driver = new CgroupV1(Path.Join(memoryOwn, gatewayGroup), Path.Join(cpuOwn, gatewayGroup));
        problem = null;
        return true;
    }

    public ICgroup Create(string name, CgroupLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var group = new Group(this, Path.Join(_memory, name), Path.Join(_cpu, name));
        try
        {
            Directory.CreateDirectory(group.Memory);
            Directory.CreateDirectory(group.Cpu);
            if (limits.MemoryBytes is { } bytes)
            {
                Cgroups.Write(Path.Join(group.Memory, "memory.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));
            }

            if (limits.CpuQuotaMicroseconds is { } quota)
            {
                Cgroups.Write(Path.Join(group.Cpu, "cpu.cfs_period_us"), CgroupLimits.CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                Cgroups.Write(Path.Join(group.Cpu, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            }

            return group;
        }
        catch
        {
            group.Remove();
            throw;
        }
    }

    private sealed class Group(CgroupV1 driver, string memory, string cpu) : ICgroup
    {
        public string Memory => memory;

        public string Cpu => cpu;

        public void Join(int pid)
        {
            var text = pid.ToString(CultureInfo.InvariantCulture);
            Cgroups.Write(Path.Join(memory, "cgroup.procs"), text);
            Cgroups.Write(Path.Join(cpu, "cgroup.procs"), text);
        }

        /// <summary>
        /// <c>oom_kill</c> in <c>memory.oom_control</c> (Linux 4.13 on); before it, a limit that was hit
        /// (<c>memory.failcnt</c>) and a main process killed by SIGKILL.
        /// </summary>
        public bool OomKilled(int exitCode)
        {
            var control = Path.Join(memory, "memory.oom_control");
            if (File.Exists(control) && Cgroups.KeyedValue(File.ReadAllText(control), "oom_kill") is { } kills)
            {
                return kills > 0;
            }

            var failures = Path.Join(memory, "memory.failcnt");
            return exitCode == 128 + Signals.SIGKILL && File.Exists(failures)
                && long.TryParse(File.ReadAllText(failures).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count > 0;
        }

        public void Remove()
        {
            Cgroups.KillAndRemove(memory);
            Cgroups.KillAndRemove(cpu);
            Cgroups.RemoveIfEmpty(driver._memory);
            Cgroups.RemoveIfEmpty(driver._cpu);
        }
    }
}
