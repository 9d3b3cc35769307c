using System.Text;
using Gateway.Admin;
using Gateway.Runtimes;

namespace Gateway.Tests.Admin;

public sealed class PodLogOutputTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2016, 10, 6, 0, 17, 9, TimeSpan.Zero).AddTicks(6697942);

    [Fact]
    public void Timestamp_TheKubeletsFixedNanoseconds()
    {
        Assert.Equal("2016-10-06T00:17:09.669794200Z", PodLogOutput.Timestamp(At));
        Assert.Equal("2016-10-06T00:17:09.000000000Z", PodLogOutput.Timestamp(new DateTimeOffset(2016, 10, 6, 2, 17, 9, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Format_EachLineAndItsEnd_WithTimestampsItsTimeFirst()
    {
        LogLine[] lines = [new(At, LogStream.Stdout, "out"), new(At, LogStream.Stderr, "err")];

        Assert.Equal("out\nerr\n", Text(new PodLogOutput(timestamps: false, limitBytes: null), lines));
        Assert.Equal("2016-10-06T00:17:09.669794200Z out\n2016-10-06T00:17:09.669794200Z err\n", Text(new PodLogOutput(timestamps: true, limitBytes: null), lines));
    }

    [Fact]
    public void Format_LimitBytes_CutMidLineAcrossCalls_ThenNothing()
    {
        var output = new PodLogOutput(timestamps: false, limitBytes: 6);

        Assert.Equal("one\n", Text(output, [new(At, LogStream.Stdout, "one")]));
        Assert.False(output.Exhausted);
        Assert.Equal("tw", Text(output, [new(At, LogStream.Stdout, "two"), new(At, LogStream.Stdout, "three")]));
        Assert.True(output.Exhausted);
        Assert.Equal("", Text(output, [new(At, LogStream.Stdout, "four")]));
    }

    private static string Text(PodLogOutput output, LogLine[] lines) => Encoding.UTF8.GetString(output.Format(lines).Span);
}
