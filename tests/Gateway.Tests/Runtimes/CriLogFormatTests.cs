using System.Buffers;
using System.Text;
using Gateway.Runtimes;

namespace Gateway.Tests.Runtimes;

public sealed class CriLogFormatTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2016, 10, 6, 0, 17, 9, TimeSpan.Zero).AddTicks(6697942);

    private static string Write(LogLine line, int max = CriLogFormat.MaxEntryBytes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        CriLogFormat.Write(line, buffer, max);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Write_AFullLine_IsTheKubeletsEntry()
    {
        Assert.Equal("2016-10-06T00:17:09.669794200Z stdout F hello world\n", Write(new LogLine(At, LogStream.Stdout, "hello world")));
        Assert.Equal("2016-10-06T00:17:09.669794200Z stderr F \n", Write(new LogLine(At, LogStream.Stderr, "")));
    }

    [Fact]
    public void Write_ALongLine_IsPartsThenAFullEntry_NeverCutInsideACharacter()
    {
        // "é" is two bytes: a bound of 5 bytes would cut the second one in half, so the first part stops before it.
        var text = Write(new LogLine(At, LogStream.Stdout, "abéé-cde"), max: 5);

        Assert.Equal(
            "2016-10-06T00:17:09.669794200Z stdout P abé\n" +
            "2016-10-06T00:17:09.669794200Z stdout P é-cd\n" +
            "2016-10-06T00:17:09.669794200Z stdout F e\n", text);
    }

    [Theory]
    [InlineData("2016-10-06T00:17:09.669794202Z stdout F text with  spaces", LogStream.Stdout, false, "text with  spaces")]
    [InlineData("2016-10-06T00:17:09.669794202Z stderr P part", LogStream.Stderr, true, "part")]
    [InlineData("2016-10-06T00:17:09.669794202Z stdout F", LogStream.Stdout, false, "")]
    [InlineData("2016-10-06T00:17:09.669794202Z stdout F:x ", LogStream.Stdout, false, "")]
    public void TryParse_AnEntry_ItsPartsAndTheTimeTo100Nanoseconds(string entry, LogStream stream, bool partial, string text)
    {
        Assert.True(CriLogFormat.TryParse(entry, out var time, out var parsedStream, out var parsedPartial, out var parsedText));
        Assert.Equal((At.AddTicks(0), stream, partial, text), (time, parsedStream, parsedPartial, parsedText));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a log line")]
    [InlineData("2016-10-06T00:17:09Z stdin F text")]
    [InlineData("2016-10-06T00:17:09Z stdout X text")]
    [InlineData("yesterday stdout F text")]
    public void TryParse_NotAnEntry_IsFalse(string entry) =>
        Assert.False(CriLogFormat.TryParse(entry, out _, out _, out _, out _));

    [Fact]
    public void TryParse_WhatWriteWrote_GivesTheLineBack()
    {
        var line = new LogLine(At, LogStream.Stderr, "ünïcode \t tab");

        Assert.True(CriLogFormat.TryParse(Write(line).TrimEnd('\n'), out var time, out var stream, out _, out var text));
        Assert.Equal(line, new LogLine(time, stream, text));
    }

    [Fact]
    public void Timestamp_NineFractionDigits_InUtc() =>
        Assert.Equal("2016-10-06T00:17:09.000000000Z", CriLogFormat.Timestamp(new DateTimeOffset(2016, 10, 6, 2, 17, 9, TimeSpan.FromHours(2))));
}
