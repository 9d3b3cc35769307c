using System.Text;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Runtimes.Process;

public class OutputLinesTests
{
    [Theory]
    [InlineData("one\ntwo\n", "one\ntwo\n")]
    [InlineData("one\r\ntwo\rthree", "one\ntwo\nthree\n")]
    [InlineData("\n\nx", "\n\nx\n")]
    [InlineData("no newline at the end", "no newline at the end\n")]
    [InlineData("", "")]
    public void Lines_are_split_as_StreamReader_splits_them(string output, string expected)
    {
        var log = new ContainerLog();
        Feed(new OutputLines(log), Encoding.UTF8.GetBytes(output), int.MaxValue);
        Assert.Equal(expected, log.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(16 * 1024)]
    [InlineData(int.MaxValue)]
    public void Long_lines_and_characters_split_between_reads_survive(int readSize)
    {
        var line = string.Concat(Enumerable.Repeat("héllo wörld ✓ ", 3000));
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n" + line + "\n");
        var log = new ContainerLog(capacity: 1024 * 1024);
        Feed(new OutputLines(log), bytes, readSize);
        Assert.Equal(line + "\n" + line + "\n", log.ToString());
    }

    [Fact]
    public void A_carriage_return_at_the_end_of_one_read_and_a_line_feed_at_the_start_of_the_next_end_one_line()
    {
        var log = new ContainerLog();
        var lines = new OutputLines(log);
        lines.Add("a\r"u8);
        lines.Add("\nb\n"u8);
        lines.Flush();
        Assert.Equal("a\nb\n", log.ToString());
    }

    [Fact]
    public void Invalid_UTF8_becomes_replacement_characters()
    {
        var log = new ContainerLog();
        Feed(new OutputLines(log), [0x61, 0xFF, 0x62, (byte)'\n', 0xE2, 0x9C], int.MaxValue);
        Assert.Equal("a\uFFFDb\n\uFFFD\n", log.ToString());
    }

    [Fact]
    public void Each_line_has_the_pipes_stream_and_the_time_it_was_read()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var log = new ContainerLog(time);
        var stdout = new OutputLines(log, LogStream.Stdout);
        var stderr = new OutputLines(log, LogStream.Stderr);
        stdout.Add("out\n"u8);
        time.Advance(TimeSpan.FromMilliseconds(1));
        stderr.Add("err\n"u8);

        Assert.Equal(
            [new LogLine(time.Start, LogStream.Stdout, "out"), new LogLine(time.Start.AddMilliseconds(1), LogStream.Stderr, "err")],
            log.Read().Lines);
    }

    /// <summary>The output in reads of at most <paramref name="readSize"/> bytes, as a pipe hands over what was written in pieces, then the end.</summary>
    private static void Feed(OutputLines lines, byte[] output, int readSize)
    {
        for (var offset = 0; offset < output.Length; offset += readSize)
        {
            lines.Add(output.AsSpan(offset, Math.Min(readSize, output.Length - offset)));
        }

        lines.Flush();
    }
}
