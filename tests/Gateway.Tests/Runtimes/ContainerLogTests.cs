using Gateway.Runtimes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Runtimes;

public sealed class ContainerLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    [Fact]
    public void Read_FromAPosition_TheLinesAfterItAndWhereTheNextReadStarts()
    {
        var log = new ContainerLog(_time);
        log.Append(LogStream.Stdout, "one");
        log.Append(LogStream.Stderr, "two");
        log.Append(LogStream.Stdout, "three");

        var all = log.Read();
        var rest = log.Read(2);

        Assert.Equal(["one", "two", "three"], all.Lines.Select(l => l.Text));
        Assert.Equal(LogStream.Stderr, all.Lines[1].Stream);
        Assert.Equal((3L, "three"), (rest.Next, string.Join(',', rest.Lines.Select(l => l.Text))));
        Assert.Empty(log.Read(3).Lines);
    }

    [Fact]
    public void Append_OverCapacity_DropsTheOldest_AndAReaderBehindSkipsWhatWentAndKeepsItsPlace()
    {
        var log = new ContainerLog(_time, capacity: 8);
        log.Append("aaa");
        log.Append("bbb");
        log.Append("ccc");

        Assert.Equal("bbb\nccc\n", log.ToString());
        var behind = log.Read(0);
        Assert.Equal((3L, "bbb,ccc"), (behind.Next, string.Join(',', behind.Lines.Select(l => l.Text))));
    }

    [Fact]
    public void Append_ManyDropped_PositionsStayTrue()
    {
        var log = new ContainerLog(_time, capacity: 10);
        for (var i = 0; i < 5000; i++)
        {
            log.Append($"{i % 10}");
        }

        var all = log.Read();
        var last = log.Read(4998);
        Assert.Equal((5000L, "5,6,7,8,9"), (all.Next, string.Join(',', all.Lines.Select(l => l.Text))));
        Assert.Equal((5000L, "8,9"), (last.Next, string.Join(',', last.Lines.Select(l => l.Text))));
    }

    [Fact]
    public void Append_OneLineOverCapacity_IsKept()
    {
        var log = new ContainerLog(_time, capacity: 2);
        log.Append("a long line");

        Assert.Equal("a long line\n", log.ToString());
    }

    [Fact]
    public void Changed_CompletesAtTheNextLine_NotBefore()
    {
        var log = new ContainerLog(_time);
        log.Append("before");
        var chunk = log.Read();

        Assert.False(chunk.Completed);
        Assert.False(chunk.Changed.IsCompleted);
        log.Append("after");
        Assert.True(chunk.Changed.IsCompleted);
        Assert.Equal(["after"], log.Read(chunk.Next).Lines.Select(l => l.Text));
    }

    [Fact]
    public void Complete_EndsTheFollowers_AndNoLineComesAfter()
    {
        var log = new ContainerLog(_time);
        var waiting = log.Read();

        log.Complete();
        log.Append("too late");

        Assert.True(waiting.Changed.IsCompleted);
        var last = log.Read(waiting.Next);
        Assert.True(last.Completed && log.IsComplete);
        Assert.True(last.Changed.IsCompleted);
        Assert.Empty(last.Lines);
    }

    [Fact]
    public void Append_TakesTheTimeNow_OrTheRuntimesOwn()
    {
        var log = new ContainerLog(_time);
        log.Append(LogStream.Stdout, "now");
        var engine = new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.Zero);
        log.Append(new LogLine(engine, LogStream.Stderr, "engine's"));

        Assert.Equal([_time.GetUtcNow(), engine], log.Read().Lines.Select(l => l.Time));
    }
}
