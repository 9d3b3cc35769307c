using System.Text;
using Docker.DotNet;
using Gateway.Runtimes;
using Gateway.Runtimes.Docker;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Runtimes.Docker;

public sealed class DockerLogLinesTests
{
    [Theory]
    [InlineData("2026-01-02T03:04:05.123456789Z hello world", "2026-01-02T03:04:05.1234567+00:00", "hello world")]
    [InlineData("2026-01-02T03:04:05Z x", "2026-01-02T03:04:05+00:00", "x")]
    [InlineData("2026-01-02T03:04:05.5Z ", "2026-01-02T03:04:05.5+00:00", "")]
    [InlineData("2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.1234567+00:00", "")]
    public void Split_TheEnginesTimestampAndTheText(string line, string time, string text)
    {
        var (at, rest) = DockerLogLines.Split(line);

        Assert.Equal((DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), text), (at!.Value, rest));
    }

    [Theory]
    [InlineData("the rest of a split line")]
    [InlineData("2026-13-02T03:04:05Z not a date")]
    [InlineData("")]
    public void Split_NoTimestamp_AllText(string line) => Assert.Equal((null, line), DockerLogLines.Split(line));

    [Fact]
    public void Add_EachStreamItsOwnLines_WithTheEnginesTimes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 5, 0, 0, 0, TimeSpan.Zero));
        var log = new ContainerLog(time);
        var lines = new DockerLogLines(log, time);

        lines.Add(MultiplexedStream.TargetStream.StandardOut, Encoding.UTF8.GetBytes("2026-01-02T03:04:05.000000001Z out "));
        lines.Add(MultiplexedStream.TargetStream.StandardError, Encoding.UTF8.GetBytes("2026-01-02T03:04:06Z err\n"));
        lines.Add(MultiplexedStream.TargetStream.StandardOut, Encoding.UTF8.GetBytes("line\nno end"));
        lines.Flush();

        Assert.Equal(
            [
                new LogLine(new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero), LogStream.Stderr, "err"),
                new LogLine(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), LogStream.Stdout, "out line"),
                new LogLine(time.GetUtcNow(), LogStream.Stdout, "no end"),
            ],
            log.Read().Lines);
    }
}
