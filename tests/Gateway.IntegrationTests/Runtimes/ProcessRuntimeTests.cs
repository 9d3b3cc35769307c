using System.Globalization;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Gateway.Specs;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.IntegrationTests.Runtimes;

/// <summary>The Process runtime with real processes: start, output, exit status, stop, its process group; here with the gateway holding the pipes.</summary>
public class ProcessRuntimeTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly string _state = Directory.CreateTempSubdirectory("gateway-process-runtime-").FullName;
    private readonly ProcessRuntime _runtime;

    private readonly bool _monitored;

    public ProcessRuntimeTests()
        : this(monitored: false)
    {
    }

    /// <param name="monitored">True: each instance under its monitor (gateway-shim), its output in a log file, as the gateway runs them.</param>
    protected ProcessRuntimeTests(bool monitored)
    {
        _monitored = monitored;
        var options = new ProcessRuntimeOptions(_state) { Monitor = monitored ? MonitorSpawn.Find() ?? throw new InvalidOperationException("gateway-shim was not built") : null };
        _runtime = new ProcessRuntime(options, new ServiceCatalog(new GatewaySpec("", "", []) { StateDirectory = _state }), NullLoggerFactory.Instance);
    }

    public void Dispose()
    {
        Directory.Delete(_state, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Output_of_both_streams_is_in_the_log_when_the_exit_is_reported()
    {
        await using var container = await StartAsync("sh", "-c", "echo out; echo err >&2; printf 'no newline'; exit 3");
        var exit = await container.Exited.WaitAsync(Bound);
        Assert.Equal(new ContainerExit(3, "Error"), exit);
        var lines = container.ReadLog().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal(["err", "no newline", "out"], lines);
    }

    [Fact]
    public async Task A_clean_exit_is_Completed_and_stdin_is_empty()
    {
        // cat ends at once only when its stdin is at its end (/dev/null), as a container's without stdin: true.
        await using var container = await StartAsync("cat");
        Assert.Equal(new ContainerExit(0, "Completed"), await container.Exited.WaitAsync(Bound));
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_to_the_group_and_a_process_that_does_not_handle_it_ends_with_143()
    {
        await using var container = await StartAsync("sleep", "60");
        await container.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(143, (await container.Exited).ExitCode);
    }

    [Fact]
    public async Task Stop_kills_a_group_that_ignores_SIGTERM_after_the_grace_period_with_137()
    {
        await using var container = await StartAsync("sh", "-c", "trap '' TERM; echo ready; sleep 60 & wait");
        await Poll.UntilAsync(() => Task.FromResult(container.ReadLog().Contains("ready", StringComparison.Ordinal)), "the trap set");
        var started = DateTimeOffset.UtcNow;
        await container.StopAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).WaitAsync(Bound);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(450), "SIGKILL came before the grace period ran out");
        Assert.Equal(137, (await container.Exited).ExitCode);
        await Poll.UntilAsync(() => Task.FromResult(!GroupExists(((ProcessContainer)container).ProcessId)), "the group's sleep gone too");
    }

    [Fact]
    public async Task What_the_main_process_leaves_behind_in_its_group_is_killed_when_it_exits()
    {
        await using var container = await StartAsync("sh", "-c", "sleep 60 & echo $!");
        await container.Exited.WaitAsync(Bound);
        var orphan = int.Parse(container.ReadLog().Trim(), CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => Task.FromResult(!IsRunning(orphan)), "the backgrounded sleep killed");
    }

    [Fact]
    public async Task A_container_runs_in_its_own_session_in_its_folder_with_its_environment_and_default_signals()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_state, "work")).FullName;
        var launch = Launch(["sh", "-c", "pwd; env; grep -E '^(SigBlk|SigIgn):' /proc/self/status; exec sleep 60"]) with
        {
            Container = new V1Container { Name = "app", WorkingDir = folder },
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello wörld" },
        };
        await using var container = await _runtime.StartAsync(launch, CancellationToken.None);
        var pid = ((ProcessContainer)container).ProcessId;
        Assert.StartsWith($"{pid}-", container.Id, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Task.FromResult(container.ReadLog().Contains("SigIgn", StringComparison.Ordinal)), "the container's report");

        var log = container.ReadLog().Split('\n');
        Assert.Equal(folder, log[0]);
        Assert.Contains("GREETING=hello wörld", log);
        Assert.Contains(log, line => line.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.StartsWith("DOTNET_", StringComparison.Ordinal) && !line.StartsWith("DOTNET_ROOT=", StringComparison.Ordinal));
        Assert.Contains("SigBlk:\t0000000000000000", log);
        Assert.Contains("SigIgn:\t0000000000000000", log);

        // /proc/PID/stat after the command name: state, ppid, pgrp, session.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), fields[2]);
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), fields[3]);
    }

    [Fact]
    public async Task A_program_that_cannot_be_run_is_a_start_error_that_names_it()
    {
        var script = Path.Combine(_state, "not-executable");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho hi\n");
        var error = await Assert.ThrowsAsync<ContainerStartException>(() => _runtime.StartAsync(Launch([script]), CancellationToken.None));
        Assert.Equal($"exec: \"{script}\": Permission denied", error.Message);
        Assert.Equal(ContainerStartException.StartError, error.Reason);

        error = await Assert.ThrowsAsync<ContainerStartException>(() => _runtime.StartAsync(Launch(["no-such-program-here"]), CancellationToken.None));
        Assert.Equal("exec: \"no-such-program-here\": executable file not found in $PATH", error.Message);
    }

    [Fact]
    public async Task Many_containers_exiting_at_once_each_report_their_own_status_and_output()
    {
        var containers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => StartAsync("sh", "-c", $"echo {i}; exit {i % 7}")));
        try
        {
            for (var i = 0; i < containers.Length; i++)
            {
                Assert.Equal(i % 7, (await containers[i].Exited.WaitAsync(Bound)).ExitCode);
                Assert.Equal($"{i}\n", containers[i].ReadLog());
            }
        }
        finally
        {
            foreach (var container in containers)
            {
                await container.DisposeAsync();
            }
        }
    }

    protected Task<IContainerInstance> StartAsync(params string[] argv) => _runtime.StartAsync(Launch(argv), CancellationToken.None);

    private ContainerLaunch Launch(IReadOnlyList<string> argv) => new()
    {
        LogFile = _monitored ? new ContainerLogFileSpec(Path.Combine(_state, "logs", Guid.NewGuid().ToString("N"), "0.log"), ContainerLogSettings.Default) : null,
        Namespace = "default",
        PodName = "app-" + Guid.NewGuid().ToString("N")[..8],
        PodUid = Guid.NewGuid().ToString(),
        ServiceName = "app",
        Container = new V1Container { Name = "app" },
        Argv = argv,
        Environment = new Dictionary<string, string>(),
        Ports = [],
    };

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Whether any live process is in the group (zombies, which a signal cannot end, left out).</summary>
    private static bool GroupExists(int processGroup) =>
        Directory.EnumerateDirectories("/proc").Any(folder =>
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] != "Z" && fields[2] == processGroup.ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
}

/// <summary>The same, each instance under its monitor (gateway-shim): the pipes are the monitor's, the output its log file, the exit its exit file.</summary>
public sealed class ProcessRuntimeMonitoredTests() : ProcessRuntimeTests(monitored: true)
{
    [Fact]
    public async Task The_monitor_writes_the_CRI_file_outlives_nothing_and_costs_well_under_a_MiB_of_private_memory()
    {
        await using var container = await StartAsync("sh", "-c", "echo started; exec sleep 60");
        var monitor = ((ProcessContainer)container).Monitor!.Value;
        await Poll.UntilAsync(() => Task.FromResult(container.ReadLog().Contains("started", StringComparison.Ordinal)), "the first line");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F started$", Assert.Single(await File.ReadAllLinesAsync(monitor.LogFile)));

        // Its own memory, what each container adds (the shared libc pages are counted once for all).
        var rollup = await File.ReadAllLinesAsync($"/proc/{monitor.Pid}/smaps_rollup");
        var privateKb = rollup.Where(l => l.StartsWith("Private_", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
        Assert.InRange(privateKb, 1, 1024);

        await container.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(143, (await container.Exited).ExitCode);
        Assert.Equal($"signaled 15", string.Join(' ', (await File.ReadAllTextAsync(monitor.ExitFile)).Split(' ').Take(2)));
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists($"/proc/{monitor.Pid}/stat") || File.ReadAllText($"/proc/{monitor.Pid}/stat").Contains(") Z", StringComparison.Ordinal)), "the monitor gone");
    }
}
