using Gateway.Runtimes;
using Gateway.Runtimes.Process;

namespace Gateway.Tests.Runtimes.Process;

public sealed class ProcessUsageTests
{
    /// <summary>A real line of <c>/proc/PID/stat</c> (a shell in group 4242): utime 150, stime 30, cutime 12, cstime 8.</summary>
    private const string ShellStat =
        "4243 (sh) R 4242 4242 4242 0 -1 4194304 120 0 0 0 150 30 12 8 20 0 1 0 123456 2641920 395 18446744073709551615 1 1 0 0 0 0 0 0 65536 0 0 0 17 1 0 0 0 0 0\n";

    [Fact]
    public void ParseStat_RealLine_GroupAndTimes()
    {
        Assert.Equal(new ProcessUsage.Stat(4242, 150, 30, 12, 8), ProcessUsage.ParseStat(ShellStat));
        Assert.Equal(200, ProcessUsage.ParseStat(ShellStat)!.TotalTicks);
    }

    [Fact]
    public void ParseStat_CommandWithSpacesAndParentheses_FieldsCountedFromTheLastParenthesis()
    {
        var stat = "77 (my (odd) prog) S 1 70 70 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 1 1 1 1";

        Assert.Equal(new ProcessUsage.Stat(70, 5, 6, 7, 8), ProcessUsage.ParseStat(stat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4243 sh R 4242")]
    [InlineData("4243 (sh) R 4242 4242")]
    [InlineData("4243 (sh) R 4242 x 4242 0 -1 0 0 0 0 0 150 30 12 8 20")]
    [InlineData("4243 (sh) R 4242 4242 4242 0 -1 0 0 0 0 0 many 30 12 8 20")]
    public void ParseStat_NotAStatLine_Null(string text) => Assert.Null(ProcessUsage.ParseStat(text));

    [Theory]
    [InlineData("2580 395 312 27 0 92 0\n", 395L)]
    [InlineData("1 0 0 0 0 0 0", 0L)]
    [InlineData("2580", null)]
    [InlineData("2580 -3 1", null)]
    [InlineData("", null)]
    public void ParseResidentPages_SecondField(string text, long? pages) => Assert.Equal(pages, ProcessUsage.ParseResidentPages(text));

    [Fact]
    public void Sum_Members_TicksAsCpuTimeAndPagesAsBytes()
    {
        var usage = ProcessUsage.Sum([(new ProcessUsage.Stat(1, 150, 30, 12, 8), 395), (new ProcessUsage.Stat(1, 100, 0, 0, 0), 5)], pageSize: 4096);

        // 300 ticks of USER_HZ (100/s) and 400 pages of 4 KiB.
        Assert.Equal(new ContainerUsage(TimeSpan.FromSeconds(3), 400 * 4096), usage);
    }

    [Fact]
    public void Sum_NoMember_Null() => Assert.Null(ProcessUsage.Sum([], 4096));

    [Fact]
    public async Task Read_ABusyGroup_ItsCpuGrowsAndItHoldsMemory()
    {
        // A real process group: a shell spinning in its own session (setsid makes it the group's leader).
        using var shell = System.Diagnostics.Process.Start("setsid", ["sh", "-c", "while :; do :; done"]);
        try
        {
            ContainerUsage? first = null;
            await Poll(() => (first = ProcessUsage.Read(shell.Id)) is not null);
            ContainerUsage? later = null;
            await Poll(() => (later = ProcessUsage.Read(shell.Id)) is { } u && u.CpuTime > first!.CpuTime);

            Assert.InRange(later!.MemoryBytes, 64 * 1024, 512L * 1024 * 1024);
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
            await shell.WaitForExitAsync();
        }

        Assert.Null(ProcessUsage.Read(shell.Id));
    }

    private static async Task Poll(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
