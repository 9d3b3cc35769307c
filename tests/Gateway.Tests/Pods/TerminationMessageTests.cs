using Gateway.Pods;

namespace Gateway.Tests.Pods;

public sealed class TerminationMessageTests
{
    private static readonly string LongLog = string.Concat(Enumerable.Range(1, 100).Select(i => $"line {i}\n"));

    public static TheoryData<string?, string?, int, string?, string, string?> Rows => new()
    {
        // runtime message, policy, exit code, file (null: none), log, expected
        { null, "File", 0, "all done", "log", "all done" },
        { null, "File", 1, "", "the log", null },
        { null, "File", 1, null, "the log", null },
        { null, "FallbackToLogsOnError", 1, "", "the log\n", "the log\n" },
        { null, "FallbackToLogsOnError", 1, null, "the log\n", "the log\n" },
        { null, "FallbackToLogsOnError", 1, "from the file", "the log\n", "from the file" },
        { null, "FallbackToLogsOnError", 0, "", "the log\n", null },
        { "OOMKilled by the engine", "File", 137, "bye", "", "OOMKilled by the engine: bye" },
        { "OOMKilled by the engine", "File", 137, "", "", "OOMKilled by the engine" },
        { null, "FallbackToLogsOnError", 2, "", "", null },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Compose_FileLogAndRuntimeMessage_AsTheKubelet(string? runtimeMessage, string? policy, int exitCode, string? file, string log, string? expected)
    {
        var logRead = false;

        var message = TerminationMessage.Compose(runtimeMessage, policy, exitCode, file, () =>
        {
            logRead = true;
            return log;
        });

        Assert.Equal(expected, message);
        Assert.Equal(policy == "FallbackToLogsOnError" && exitCode != 0 && string.IsNullOrEmpty(file), logRead);
    }

    [Fact]
    public void Compose_LongFile_KeepsItsLast4096Bytes()
    {
        var file = new string('a', 10) + new string('b', 4096);

        Assert.Equal(new string('b', 4096), TerminationMessage.Compose(null, "File", 0, file, () => ""));
    }

    [Fact]
    public void LogTail_ManyLines_KeepsTheLast80()
    {
        var tail = TerminationMessage.LogTail(LongLog);

        Assert.StartsWith("line 21\n", tail, StringComparison.Ordinal);
        Assert.EndsWith("line 100\n", tail, StringComparison.Ordinal);
        Assert.Equal(80, tail.Count(c => c == '\n'));
    }

    [Fact]
    public void LogTail_LongLines_KeepsTheLast2048Bytes()
    {
        var log = new string('x', 3000) + "\n" + new string('y', 1000) + "\n";

        var tail = TerminationMessage.LogTail(log);

        Assert.Equal(2048, tail.Length);
        Assert.EndsWith(new string('y', 1000) + "\n", tail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", 5, "abc")]
    [InlineData("abcdef", 3, "def")]
    [InlineData("aé", 2, "é")]
    [InlineData("éé", 3, "é")]
    public void Tail_CutsBytesButNeverACharacter(string text, int maxBytes, string expected) =>
        Assert.Equal(expected, TerminationMessage.Tail(text, maxBytes));
}
