using Gateway.Runtimes;
using Gateway.Runtimes.Process;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>The Process pods' records: written whole (write, then rename), read back as written; a bad file is skipped.</summary>
public sealed class PodRecordsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-pod-records-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static PodRecord Record(string uid, int restarts = 0) => new()
    {
        Namespace = "default",
        Name = "web-" + uid,
        Uid = uid,
        Service = "web",
        TemplateHash = "h1",
        Created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        RuntimeDirectory = "/tmp/gateway/42",
        TerminationGracePeriodSeconds = 5,
        Containers =
        [
            new ContainerRecord
            {
                Name = "app", InstanceId = "10-abcdef12", RestartCount = restarts, StartedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero),
                MonitorPid = 9, MonitorStartTime = "1234", AppPid = 10, AppStartTime = "1235",
                LogFile = "/state/pods/default_web-a_a/app/0.log", ExitFile = "/state/pods/default_web-a_a/app/0.exit",
                Ports = [new PortMapping("http", 8080, 41000)],
            },
        ],
    };

    [Fact]
    public void A_written_record_reads_back_equal_field_by_field()
    {
        var records = new PodRecords(Path.Combine(_folder, PodRecords.FolderName));
        Assert.True(records.TryWrite(Record("a"), out var problem), problem);

        var read = Assert.Single(records.ReadAll());
        Assert.Equal(Record("a") with { Containers = [] }, read with { Containers = [] });
        Assert.Equal(Record("a").Containers[0] with { Ports = [] }, read.Containers[0] with { Ports = [] });
        Assert.Equal([new PortMapping("http", 8080, 41000)], read.Containers[0].Ports);
    }

    [Fact]
    public void A_rewrite_replaces_the_record_and_leaves_no_temporary_file()
    {
        var records = new PodRecords(_folder);
        Assert.True(records.TryWrite(Record("a"), out _));
        Assert.True(records.TryWrite(Record("a", restarts: 3), out _));

        Assert.Equal(3, Assert.Single(records.ReadAll()).Containers[0].RestartCount);
        Assert.Equal(["a.json"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_file_that_does_not_parse_and_a_temporary_left_by_a_crash_are_skipped()
    {
        var records = new PodRecords(_folder);
        Assert.True(records.TryWrite(Record("a"), out _));
        File.WriteAllText(Path.Combine(_folder, "b.json"), "{ \"Name\": ");
        File.WriteAllText(Path.Combine(_folder, "c.json.77.tmp"), "{}");

        Assert.Equal(["a"], records.ReadAll().Select(r => r.Uid));
    }

    [Fact]
    public void Remove_deletes_the_record()
    {
        var records = new PodRecords(_folder);
        Assert.True(records.TryWrite(Record("a"), out _));
        records.Remove("a");
        records.Remove("never-written");

        Assert.Empty(records.ReadAll());
    }

    [Fact]
    public void A_folder_that_cannot_be_made_is_a_problem_naming_the_file()
    {
        var blocker = Path.Combine(_folder, "file");
        File.WriteAllText(blocker, "");
        var records = new PodRecords(Path.Combine(blocker, "records"));

        Assert.False(records.TryWrite(Record("a"), out var problem));
        Assert.Contains("a.json", problem, StringComparison.Ordinal);
        Assert.Contains("will not adopt", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exited 0 1796239679957850600", 0, "Completed")]
    [InlineData("exited 3 1796239679957850600\n", 3, "Error")]
    [InlineData("signaled 9 1796239679957850600", 137, "Error")]
    [InlineData("signaled 15 1", 143, "Error")]
    public void An_exit_file_is_the_exit_it_says(string text, int code, string reason) =>
        Assert.Equal(new ContainerExit(code, reason), MonitorExit.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("exited")]
    [InlineData("stopped 1 2")]
    [InlineData("exited x 2")]
    public void An_exit_file_that_says_nothing_known_is_no_exit(string text) => Assert.Null(MonitorExit.Parse(text));

    [Fact]
    public void A_missing_exit_file_is_an_exit_whose_status_was_lost()
    {
        var exit = MonitorExit.Read(Path.Combine(_folder, "0.exit"), 123);
        Assert.Equal(-1, exit.ExitCode);
        Assert.Contains("process 123", exit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_start_time_names_this_process_and_a_wrong_one_does_not()
    {
        var mine = ProcessStartTime.Of(Environment.ProcessId);
        Assert.NotNull(mine);
        Assert.True(ProcessStartTime.Is(Environment.ProcessId, mine));
        Assert.False(ProcessStartTime.Is(Environment.ProcessId, mine + "0"));
        Assert.False(ProcessStartTime.Is(Environment.ProcessId, ""));
    }
}
