using System.Text;
using Gateway.Runtimes;
using Gateway.Runtimes.Process;

namespace Gateway.Tests.Runtimes.Process;

public class OutputLinesTests
{
    [Theory]
    [InlineData("one\ntwo\n", "one\ntwo\n")]
    [InlineData("one\r\ntwo\rthree", "one\ntwo\nthree\n")]
    [InlineData("\n\nx", "\n\nx\n")]
    [InlineData("no newline at the end", "no newline at the end\n")]
    [InlineData("", "")]
    public async Task Lines_are_split_as_StreamReader_splits_them(string output, string expected)
    {
        var log = new ContainerLog();
        await new ProcessContainer.OutputLines(log).CopyFromAsync(new MemoryStream(Encoding.UTF8.GetBytes(output)));
        Assert.Equal(expected, log.ToString());
    }

    [Fact]
    public async Task Output_larger_than_the_idle_buffer_and_split_characters_survive()
    {
        var line = string.Concat(Enumerable.Repeat("héllo wörld ✓ ", 3000));
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n" + line + "\n");
        var log = new ContainerLog(1024 * 1024);
        await new ProcessContainer.OutputLines(log).CopyFromAsync(new TrickleStream(bytes, ProcessContainer.OutputLines.IdleBufferSize - 1));
        Assert.Equal(line + "\n" + line + "\n", log.ToString());

        log = new ContainerLog(1024 * 1024);
        await new ProcessContainer.OutputLines(log).CopyFromAsync(new MemoryStream(bytes));
        Assert.Equal(line + "\n" + line + "\n", log.ToString());
    }

    [Fact]
    public void A_carriage_return_at_the_end_of_one_read_and_a_line_feed_at_the_start_of_the_next_end_one_line()
    {
        var log = new ContainerLog();
        var lines = new ProcessContainer.OutputLines(log);
        lines.Add("a\r"u8);
        lines.Add("\nb\n"u8);
        lines.Flush();
        Assert.Equal("a\nb\n", log.ToString());
    }

    /// <summary>Returns at most <c>chunk</c> bytes a read, as a pipe does with output written in pieces.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
