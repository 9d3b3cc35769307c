using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>Which recorded Process pods a starting gateway adopts, which it ends, and which processes it may signal.</summary>
public sealed class ProcessAdoptionPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The processes that run now, by pid, with their start times.</summary>
    private readonly Dictionary<int, string> _running = [];

    private static ServiceSpec Service(string name = "web", int replicas = 1, RuntimeKind runtime = RuntimeKind.Process, string hash = "h1", string? podName = null) => new()
    {
        Name = name,
        Route = new RouteSpec("/{**catch-all}", []),
        Backend = new PodsBackend
        {
            Runtime = runtime,
            Replicas = replicas,
            PodName = podName,
            PodSpec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] },
            Labels = new Dictionary<string, string> { ["app"] = name },
            TemplateHash = hash,
        },
        ConfigDirectory = "/tmp",
    };

    /// <summary>A record of pod <paramref name="name"/> whose app is pid <paramref name="pid"/> (its monitor pid + 1000), started at "s<paramref name="pid"/>".</summary>
    private static PodRecord Record(string name, int pid, string hash = "h1", string service = "web", int createdSecond = 0) => new()
    {
        Namespace = "default",
        Name = name,
        Uid = "uid-" + name,
        Service = service,
        TemplateHash = hash,
        Created = T0.AddSeconds(createdSecond),
        RuntimeDirectory = "/tmp/gateway/1",
        Containers =
        [
            new ContainerRecord
            {
                Name = "app", InstanceId = $"{pid}-abc", RestartCount = 2, StartedAt = T0,
                MonitorPid = pid + 1000, MonitorStartTime = $"s{pid + 1000}", AppPid = pid, AppStartTime = $"s{pid}",
                LogFile = "/state/pods/x/app/2.log", ExitFile = "/state/pods/x/app/2.exit",
            },
        ],
    };

    private void Runs(int pid, string? startTime = null) => _running[pid] = startTime ?? $"s{pid}";

    private void RunsWithMonitor(int pid)
    {
        Runs(pid);
        Runs(pid + 1000);
    }

    private ProcessAdoptionPlan.Decision Decide(ServiceSpec service, params PodRecord[] records) =>
        ProcessAdoptionPlan.Decide([service], records, (pid, start) => _running.TryGetValue(pid, out var s) && s == start);

    [Fact]
    public void A_pod_whose_monitor_and_app_run_with_their_recorded_start_times_and_the_current_template_is_adopted()
    {
        RunsWithMonitor(10);
        var decision = Decide(Service(), Record("web-a", 10));

        Assert.Equal(["web-a"], decision.Adopt.Select(a => a.Record.Name));
        Assert.Empty(decision.End);
        Assert.Empty(decision.Signal);
    }

    [Fact]
    public void A_pid_now_held_by_a_process_with_another_start_time_is_not_adopted_and_not_signalled()
    {
        Runs(10, "another");
        Runs(1010, "another");
        var decision = Decide(Service(), Record("web-a", 10));

        Assert.Empty(decision.Adopt);
        Assert.Equal(["web-a"], decision.End.Select(r => r.Name));
        Assert.Empty(decision.Signal);
    }

    [Fact]
    public void A_pod_of_a_changed_template_is_ended_and_its_running_app_signalled()
    {
        RunsWithMonitor(10);
        var decision = Decide(Service(hash: "h2"), Record("web-a", 10));

        Assert.Empty(decision.Adopt);
        Assert.Equal(["web-a"], decision.End.Select(r => r.Name));
        var signal = Assert.Single(decision.Signal);
        Assert.Equal((10, "s10"), (signal.AppPid, signal.AppStartTime));
    }

    [Fact]
    public void A_pod_whose_process_is_gone_is_ended_with_nothing_to_signal()
    {
        var decision = Decide(Service(), Record("web-a", 10));

        Assert.Empty(decision.Adopt);
        Assert.Single(decision.End);
        Assert.Empty(decision.Signal);
    }

    [Fact]
    public void An_app_whose_monitor_is_gone_is_not_adopted_it_is_signalled()
    {
        Runs(10);
        var decision = Decide(Service(), Record("web-a", 10));

        Assert.Empty(decision.Adopt);
        Assert.Equal(10, Assert.Single(decision.Signal).AppPid);
    }

    [Theory]
    [InlineData("a service no longer configured")]
    [InlineData("a service now on Docker")]
    [InlineData("a bare pod of another name")]
    public void Pods_of_services_that_do_not_match_are_ended(string why)
    {
        RunsWithMonitor(10);
        var service = why switch
        {
            "a service no longer configured" => Service(name: "other"),
            "a service now on Docker" => Service(runtime: RuntimeKind.Docker),
            _ => Service(podName: "seed"),
        };

        var decision = Decide(service, Record("web-a", 10));

        Assert.Empty(decision.Adopt);
        Assert.Single(decision.Signal);
    }

    [Fact]
    public void A_service_keeps_at_most_its_replicas_the_oldest_first()
    {
        RunsWithMonitor(10);
        RunsWithMonitor(20);
        RunsWithMonitor(30);
        var decision = Decide(Service(replicas: 2), Record("web-c", 30, createdSecond: 3), Record("web-a", 10, createdSecond: 1), Record("web-b", 20, createdSecond: 2));

        Assert.Equal(["web-a", "web-b"], decision.Adopt.Select(a => a.Record.Name));
        Assert.Equal(["web-c"], decision.End.Select(r => r.Name));
        Assert.Equal(30, Assert.Single(decision.Signal).AppPid);
    }
}
