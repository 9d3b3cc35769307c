using System.Globalization;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.IntegrationTests.Runtimes;

/// <summary>
/// <c>resources.limits</c> on real processes in real cgroups (this host's: the gateway runs as root):
/// a memory limit the kernel enforces with its OOM killer, reported as the kubelet does, and a CPU
/// quota that holds a busy loop to its share.
/// </summary>
public sealed class ProcessResourcesTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // tail keeps the last "line" of 200 MB without a newline: all of it, in its own memory.
    private static readonly string[] Allocate200MB = ["sh", "-c", "head -c 200M /dev/zero | tail && echo survived"];
    private static readonly string[] Spin = ["sh", "-c", "while :; do :; done"];

    private readonly string _state = Directory.CreateTempSubdirectory("gateway-process-resources-").FullName;
    private readonly ProcessRuntime _runtime;

    public ProcessResourcesTests()
    {
        Assert.True(Cgroups.Host.CanLimit, $"this host's cgroups cannot be used: {Cgroups.Host.Problem}");
        _runtime = new ProcessRuntime(new ProcessRuntimeOptions(_state) { Cgroups = Cgroups.Host }, new ServiceCatalog(new GatewaySpec("", "", [])), NullLoggerFactory.Instance);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task A_container_over_its_memory_limit_is_OOMKilled_with_137_and_one_under_it_completes()
    {
        var small = Launch(Allocate200MB, ("memory", "64Mi"));
        var large = Launch(Allocate200MB, ("memory", "512Mi"));
        await using var killed = await _runtime.StartAsync(small, CancellationToken.None);
        await using var completed = await _runtime.StartAsync(large, CancellationToken.None);

        Assert.Equal(new ContainerExit(137, "OOMKilled"), await killed.Exited.WaitAsync(Bound));
        Assert.Equal(new ContainerExit(0, "Completed"), await completed.Exited.WaitAsync(Bound));
        Assert.DoesNotContain("survived", killed.ReadLog(), StringComparison.Ordinal);
        Assert.Contains("survived", completed.ReadLog(), StringComparison.Ordinal);

        // Each instance's group goes with it.
        await Poll.UntilAsync(() => Task.FromResult(GroupsOf(small).Count == 0 && GroupsOf(large).Count == 0), "the instances' cgroups removed");
    }

    [Fact]
    public async Task A_process_is_in_its_group_at_once_and_what_it_leaves_behind_is_killed_with_the_group()
    {
        // The child leaves the process group (setsid): only the cgroup still holds it when the main process exits.
        var launch = Launch(["sh", "-c", "setsid sleep 300 & echo $! > sleeper; sleep 300"], ("memory", "256Mi"));
        await using var container = await _runtime.StartAsync(launch, CancellationToken.None);
        var groups = GroupsOf(launch);
        Assert.NotEmpty(groups);
        foreach (var group in groups)
        {
            Assert.Contains(((ProcessContainer)container).ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllLines(Path.Join(group, "cgroup.procs")));
        }

        var sleeperFile = Path.Combine(_state, "pods", launch.PodName, "app", "sleeper");
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(sleeperFile) && File.ReadAllText(sleeperFile).Trim().Length > 0), "the sleeper started");
        var sleeper = int.Parse(File.ReadAllText(sleeperFile).Trim(), CultureInfo.InvariantCulture);

        await container.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Bound);
        await Poll.UntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{sleeper}") && GroupsOf(launch).Count == 0), "the sleeper killed and the groups removed");
    }

    [Fact]
    public async Task A_100m_cpu_limit_holds_a_busy_loop_to_about_a_tenth_of_a_core_while_an_unlimited_one_runs_freely()
    {
        await using var limited = await _runtime.StartAsync(Launch(Spin, ("cpu", "100m")), CancellationToken.None);
        await using var unlimited = await _runtime.StartAsync(Launch(Spin), CancellationToken.None);
        var pids = new[] { ((ProcessContainer)limited).ProcessId, ((ProcessContainer)unlimited).ProcessId };

        var before = pids.Select(CpuTicks).ToArray();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = pids.Select(CpuTicks).ToArray();
        var seconds = started.Elapsed.TotalSeconds;
        var cores = after.Zip(before, (a, b) => (a - b) / 100.0 / seconds).ToArray(); // USER_HZ is 100 on Linux

        // The quota is 10 ms per 100 ms: never above it (with margin for the ticks' rounding), whatever the
        // load. A loaded 2-core host may give the unlimited loop far less than a core, but more than the quota.
        Assert.InRange(cores[0], 0.03, 0.2);
        Assert.True(cores[1] > 1.5 * cores[0], $"the unlimited loop used {cores[1]:0.00} cores, the limited {cores[0]:0.00}: the comparison proves nothing");
    }

    [Fact]
    public async Task Through_the_gateway_an_OOM_kill_is_the_containers_lastState_and_it_is_restarted()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-oom-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "pod.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: {name: hungry}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: app
                command: [sh, -c, "head -c 200M /dev/zero | tail && echo survived"]
                resources: {limits: {memory: 64Mi, cpu: 500m}, requests: {memory: 32Mi}}
              - name: roomy
                command: [sh, -c, "head -c 100M /dev/zero | tail && echo survived && sleep 300"]
                resources: {limits: {memory: 256Mi}}
            """);
        await using var gateway = await GatewayProcess.StartAsync("""{ "hungry": { "Manifest": "pod.yaml" } }""", directory);

        var pods = await gateway.WaitForPodsAsync(
            p => p.Count == 1 && p[0].Status.ContainerStatuses?.SingleOrDefault(c => c.Name == "app") is { RestartCount: >= 1, LastState.Terminated: not null },
            "the OOM-killed container restarted");
        var app = pods[0].Status.ContainerStatuses.Single(c => c.Name == "app");
        Assert.Equal(("OOMKilled", 137), (app.LastState.Terminated.Reason, app.LastState.Terminated.ExitCode));
        var roomy = pods[0].Status.ContainerStatuses.Single(c => c.Name == "roomy");
        Assert.Equal(0, roomy.RestartCount);
        Assert.NotNull(roomy.State.Running);
    }

    // utime + stime of /proc/PID/stat, fields 14 and 15, counted after the ")" that ends the command name.
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    // The instance's groups, one per v1 hierarchy or one under v2, named after the pod's uid.
    private static List<string> GroupsOf(ContainerLaunch launch) =>
        Cgroups.Host.Driver!.Folders.Where(Directory.Exists).SelectMany(gateway => Directory.GetDirectories(gateway, launch.PodUid + "-*")).ToList();

    private static ContainerLaunch Launch(IReadOnlyList<string> argv, params (string Name, string Quantity)[] limits) => new()
    {
        Namespace = "default",
        PodName = "app-" + Guid.NewGuid().ToString("N")[..8],
        PodUid = Guid.NewGuid().ToString(),
        ServiceName = "app",
        Container = new V1Container
        {
            Name = "app",
            Resources = limits.Length == 0 ? null : new V1ResourceRequirements { Limits = limits.ToDictionary(l => l.Name, l => new ResourceQuantity(l.Quantity)) },
        },
        Argv = argv,
        Environment = new Dictionary<string, string>(),
        Ports = [],
    };
}
