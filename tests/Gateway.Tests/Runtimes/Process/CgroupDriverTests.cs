using Gateway.Runtimes.Process;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>
/// Finding the host's cgroups and what each version writes, with a temp folder standing for the
/// root: its <c>sys/fs/cgroup</c> holds the files a cgroupfs would show.
/// </summary>
public sealed class CgroupDriverTests : IDisposable
{
    // This machine's shape: v1 controllers, a cgroup2 "unified" hierarchy without controllers.
    private const string HybridMounts = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string HybridSelf = "4:memory:/sandbox/a1\n1:cpu:/\n0::/\n";

    private const string UnifiedMounts = "25 23 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

    private readonly string _root = Directory.CreateTempSubdirectory("gateway-cgroupfs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void On_a_hybrid_host_v1_is_used_under_the_gateways_own_groups_and_the_limits_are_written()
    {
        var memory = Folder("sys/fs/cgroup/memory/sandbox/a1", ("memory.limit_in_bytes", "9223372036854771712"));
        var cpu = Folder("sys/fs/cgroup/cpu", ("cpu.cfs_quota_us", "-1"));
        Folder("sys/fs/cgroup/unified", ("cgroup.controllers", ""));

        var support = Cgroups.Detect(HybridMounts, HybridSelf, 42, _root);

        var driver = Assert.IsType<CgroupV1>(support.Driver);
        Assert.Null(support.Problem);
        var group = driver.Create("pod-app-1", new CgroupLimits(64L << 20, 10_000));
        Assert.Equal("67108864", Read(memory, "gateway-42/pod-app-1/memory.limit_in_bytes"));
        Assert.Equal("100000", Read(cpu, "gateway-42/pod-app-1/cpu.cfs_period_us"));
        Assert.Equal("10000", Read(cpu, "gateway-42/pod-app-1/cpu.cfs_quota_us"));

        group.Join(4242);
        Assert.Equal("4242", Read(memory, "gateway-42/pod-app-1/cgroup.procs"));
        Assert.Equal("4242", Read(cpu, "gateway-42/pod-app-1/cgroup.procs"));
    }

    [Fact]
    public void V1_writes_only_the_limits_that_are_set()
    {
        var memory = Folder("sys/fs/cgroup/memory/sandbox/a1", ("memory.limit_in_bytes", "0"));
        var cpu = Folder("sys/fs/cgroup/cpu", ("cpu.cfs_quota_us", "-1"));
        var driver = Cgroups.Detect(HybridMounts, HybridSelf, 42, _root).Driver!;

        driver.Create("mem-only", new CgroupLimits(1 << 20, null));
        Assert.False(File.Exists(Path.Join(cpu, "gateway-42/mem-only/cpu.cfs_quota_us")));
        driver.Create("cpu-only", new CgroupLimits(null, 50_000));
        Assert.False(File.Exists(Path.Join(memory, "gateway-42/cpu-only/memory.limit_in_bytes")));
        Assert.Equal("50000", Read(cpu, "gateway-42/cpu-only/cpu.cfs_quota_us"));
    }

    [Fact]
    public void On_a_unified_host_v2_delegates_memory_and_cpu_and_writes_memory_max_and_cpu_max()
    {
        var own = Folder("sys/fs/cgroup/gateway.service", ("cgroup.controllers", "cpuset cpu io memory hugetlb pids\n"));

        var support = Cgroups.Detect(UnifiedMounts, "0::/gateway.service\n", 42, _root);

        var driver = Assert.IsType<CgroupV2>(support.Driver);
        Directory.CreateDirectory(Path.Join(own, "gateway-42/pod-app-1"));
        File.WriteAllText(Path.Join(own, "gateway-42/pod-app-1/memory.swap.max"), "max"); // the kernel makes it with the group
        var group = driver.Create("pod-app-1", new CgroupLimits(64L << 20, 10_000));
        Assert.Equal("+memory +cpu", Read(own, "cgroup.subtree_control"));
        Assert.Equal("+memory +cpu", Read(own, "gateway-42/cgroup.subtree_control"));
        Assert.Equal("67108864", Read(own, "gateway-42/pod-app-1/memory.max"));
        Assert.Equal("0", Read(own, "gateway-42/pod-app-1/memory.swap.max"));
        Assert.Equal("10000 100000", Read(own, "gateway-42/pod-app-1/cpu.max"));

        group.Join(4242);
        Assert.Equal("4242", Read(own, "gateway-42/pod-app-1/cgroup.procs"));
    }

    [Fact]
    public void V2_leaves_a_subtree_control_alone_that_already_delegates_both()
    {
        // A group with processes refuses any enabling write: one that has both already is not written to.
        var own = Folder("sys/fs/cgroup/delegated", ("cgroup.controllers", "cpu memory"), ("cgroup.subtree_control", "cpu memory pids"));
        Assert.IsType<CgroupV2>(Cgroups.Detect(UnifiedMounts, "0::/delegated\n", 42, _root).Driver);
        Assert.Equal("cpu memory pids", Read(own, "cgroup.subtree_control"));
    }

    [Fact]
    public void A_v2_group_without_the_controllers_falls_back_to_v1_and_neither_says_why_both_failed()
    {
        Folder("sys/fs/cgroup/unified", ("cgroup.controllers", "hugetlb"));
        var support = Cgroups.Detect(HybridMounts, HybridSelf, 42, _root);

        Assert.Null(support.Driver);
        Assert.False(support.CanLimit);
        Assert.Contains("cgroup v2: the memory and cpu controllers are not available", support.Problem, StringComparison.Ordinal);
        Assert.Contains("hugetlb", support.Problem, StringComparison.Ordinal);
        Assert.Contains("cgroup v1:", support.Problem, StringComparison.Ordinal); // the memory group has no memory.limit_in_bytes
    }

    [Fact]
    public void Without_cgroup_mounts_there_is_no_driver()
    {
        var support = Cgroups.Detect("22 1 0:21 / /proc rw - proc proc rw\n", "0::/\n", 42, _root);
        Assert.Equal("no cgroup v1 memory and cpu hierarchies are mounted", support.Problem);
    }

    [Fact]
    public void Unreadable_proc_files_are_an_answer_not_a_crash()
    {
        var support = Cgroups.Detect(Path.Join(_root, "no-mountinfo"), Path.Join(_root, "no-cgroup"), 42);
        Assert.False(support.CanLimit);
        Assert.StartsWith("cannot read the host's cgroups", support.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bind_mounted_hierarchy_is_entered_relative_to_its_root()
    {
        // In a container the hierarchy's root is often the container's own group.
        const string mounts = "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        var memory = Folder("sys/fs/cgroup/memory/inner", ("memory.limit_in_bytes", "0"));
        Folder("sys/fs/cgroup/cpu,cpuacct/docker/abc", ("cpu.cfs_quota_us", "-1"));
        var driver = Assert.IsType<CgroupV1>(Cgroups.Detect(mounts, "4:memory:/docker/abc/inner\n2:cpu,cpuacct:/docker/abc\n", 7, _root).Driver);
        Assert.Equal([Path.Join(memory, "gateway-7"), Path.Join(_root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/gateway-7")], driver.Folders);
    }

    [Theory]
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", 1L)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", 0L)]
    [InlineData("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n", 2L)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\n", null)]
    [InlineData("oom_kill x\n", null)]
    public void Keyed_files_give_their_oom_kill_count(string text, long? kills) =>
        Assert.Equal(kills, Cgroups.KeyedValue(text, "oom_kill"));

    [Theory]
    [InlineData("oom_kill 1", "0", 1, true)] // the count decides, whatever the exit
    [InlineData("oom_kill 0", "5", 137, false)] // the limit was hit, but reclaim sufficed and nothing was killed
    [InlineData("under_oom 0", "5", 137, true)] // before Linux 4.13: a hit limit and a SIGKILL
    [InlineData("under_oom 0", "5", 1, false)]
    [InlineData("under_oom 0", "0", 137, false)]
    public void V1_reads_oom_control_and_before_its_oom_kill_count_failcnt_with_a_SIGKILL(string control, string failcnt, int exitCode, bool oomKilled)
    {
        var memory = Folder("sys/fs/cgroup/memory/sandbox/a1", ("memory.limit_in_bytes", "0"));
        Folder("sys/fs/cgroup/cpu", ("cpu.cfs_quota_us", "-1"));
        var group = Cgroups.Detect(HybridMounts, HybridSelf, 42, _root).Driver!.Create("g", new CgroupLimits(1 << 20, null));
        File.WriteAllText(Path.Join(memory, "gateway-42/g/memory.oom_control"), control + "\n");
        File.WriteAllText(Path.Join(memory, "gateway-42/g/memory.failcnt"), failcnt + "\n");
        Assert.Equal(oomKilled, group.OomKilled(exitCode));
    }

    [Theory]
    [InlineData("low 0\nhigh 0\nmax 40\noom 1\noom_kill 1\n", true)]
    [InlineData("low 0\nhigh 0\nmax 40\noom 0\noom_kill 0\n", false)]
    public void V2_reads_memory_events(string events, bool oomKilled)
    {
        var own = Folder("sys/fs/cgroup/svc", ("cgroup.controllers", "cpu memory"));
        var group = Cgroups.Detect(UnifiedMounts, "0::/svc\n", 42, _root).Driver!.Create("g", new CgroupLimits(1 << 20, null));
        File.WriteAllText(Path.Join(own, "gateway-42/g/memory.events"), events);
        Assert.Equal(oomKilled, group.OomKilled(137));
    }

    private string Folder(string path, params (string Name, string Text)[] files)
    {
        var folder = Path.Join(_root, path);
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Join(folder, name), text);
        }

        return folder;
    }

    private static string Read(string folder, string file) => File.ReadAllText(Path.Join(folder, file));
}
