using Gateway.Runtimes;
using Gateway.Specs;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Runtimes;

/// <summary>A container log backed by its CRI file: what is on disk, rotation, and reads across the files.</summary>
public sealed class ContainerLogFileTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-logs-").FullName;
    private readonly List<string> _failures = [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name = "0.log") => Path.Combine(_directory, "default_web-1_uid", "app", name);

    private ContainerLog Log(long maxSize = ContainerLogSettings.DefaultMaxSize, int maxFiles = 5, int capacity = ContainerLog.DefaultCapacity) =>
        new(_time, capacity, new ContainerLogFileSpec(PathOf(), new ContainerLogSettings(maxSize, maxFiles)), _failures.Add);

    /// <summary>One CRI entry at the fake clock's time: 31 bytes of time and stream, then the tag, text and line end.</summary>
    private static int EntryBytes(string text) => "2026-01-02T03:04:05.000000000Z stdout F ".Length + text.Length + 1;

    [Fact]
    public void Append_WritesEachLineAsACriEntry_ReadableOnceFlushed()
    {
        var log = Log();
        log.Append(LogStream.Stdout, "one");
        _time.Advance(TimeSpan.FromMilliseconds(1.5));
        log.Append(LogStream.Stderr, "two");
        log.Flush();

        Assert.Equal(
            [
                "2026-01-02T03:04:05.000000000Z stdout F one",
                "2026-01-02T03:04:05.001500000Z stderr F two",
            ],
            File.ReadAllLines(PathOf()));
        Assert.Empty(_failures);
    }

    [Fact]
    public void Read_TheFileIsTheRecord_LinesTheMemoryDroppedAreReadFromIt()
    {
        var log = Log(capacity: 8);
        for (var i = 0; i < 100; i++)
        {
            log.Append($"line {i}");
        }

        var all = log.Read();
        var fromTen = log.Read(10);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i}"), all.Lines.Select(l => l.Text));
        Assert.Equal(100L, all.Next);
        Assert.Equal(Enumerable.Range(10, 90).Select(i => $"line {i}"), fromTen.Lines.Select(l => l.Text));

        // A follower's next read (from where the last ended) is the memory's, and waits for the next line.
        var next = log.Read(all.Next);
        Assert.Empty(next.Lines);
        Assert.False(next.Changed.IsCompleted);
        log.Append("line 100");
        Assert.True(next.Changed.IsCompleted);
        Assert.Equal(["line 100"], log.Read(next.Next).Lines.Select(l => l.Text));
    }

    [Fact]
    public void Append_ALongLine_IsPartsOnDisk_AndOneLineWhenRead()
    {
        var log = Log(capacity: 8);
        var longLine = new string('x', CriLogFormat.MaxEntryBytes * 2 + 10);
        log.Append("before");
        log.Append(LogStream.Stderr, longLine);
        log.Append("after");
        log.Complete();

        var entries = File.ReadAllLines(PathOf());
        Assert.Equal(["F", "P", "P", "F", "F"], entries.Select(e => e.Split(' ')[2]));
        Assert.Equal(["before", longLine, "after"], log.Read().Lines.Select(l => l.Text));
        Assert.Equal(LogStream.Stderr, log.Read().Lines[1].Stream);
    }

    [Fact]
    public void Append_PastMaxSize_RotatesTheFile_KeepingAtMostMaxFiles_TheOldestRemoved()
    {
        // Each file holds two entries of 50 bytes: 10 lines make five files, of which three stay.
        var text = new string('a', 50 - EntryBytes(""));
        var log = Log(maxSize: 100, maxFiles: 3, capacity: 8);
        for (var i = 0; i < 10; i++)
        {
            log.Append($"{i}{text[1..]}");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        log.Flush();

        var files = Directory.GetFiles(Path.GetDirectoryName(PathOf())!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, files.Count);
        Assert.Equal(PathOf(), files[0]);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 100, $"{f} is {new FileInfo(f).Length} bytes"));
        Assert.Equal([PathOf("0.log.20260102-030411.000000"), PathOf("0.log.20260102-030413.000000"), PathOf()], log.Files);

        // What is left is read in order, across the rotated files: the last six lines, with their positions.
        Assert.Equal(["4", "5", "6", "7", "8", "9"], log.Read().Lines.Select(l => l.Text[..1]));
        Assert.Equal(["7", "8", "9"], log.Read(7).Lines.Select(l => l.Text[..1]));
        Assert.Equal(10L, log.Read().Next);
    }

    [Fact]
    public void Tail_ReadsAcrossTheRotatedFiles()
    {
        // One 50-byte entry per file of at most 60: a tail of 3 spans the current file and two rotated ones.
        var log = Log(maxSize: 60, maxFiles: 4, capacity: 8);
        for (var i = 0; i < 6; i++)
        {
            log.Append($"{i}{new string('c', 8)}");
        }

        var tail = new Gateway.Admin.PodLogOptions { TailLines = 3 }.Select(log.Read().Lines, since: null);

        Assert.Equal(4, log.Files.Count);
        Assert.Equal(["3", "4", "5"], tail.Select(l => l.Text[..1]));
    }

    [Fact]
    public void Rotate_TwiceInTheSameInstant_KeepsBothFiles_InOrder()
    {
        var log = Log(maxSize: 1024, maxFiles: 5, capacity: 8);
        var text = new string('b', 600);
        for (var i = 0; i < 3; i++)
        {
            log.Append($"{i}{text}");
        }

        Assert.Equal(3, log.Files.Count);
        Assert.NotEqual(log.Files[0], log.Files[1]);
        Assert.Equal(log.Files.Take(2).Order(StringComparer.Ordinal), log.Files.Take(2));
        Assert.Equal(["0", "1", "2"], log.Read().Lines.Select(l => l.Text[..1]));
    }

    [Fact]
    public void Read_AfterComplete_ReadsTheClosedFile()
    {
        var log = Log(capacity: 8);
        log.Append("first");
        log.Append("last");
        log.Complete();

        var chunk = log.Read();
        Assert.True(chunk.Completed);
        Assert.Equal(["first", "last"], chunk.Lines.Select(l => l.Text));
        Assert.Equal("first\nlast\n", log.ToString());
    }

    [Fact]
    public void AFileThatCannotBeMade_IsSaidOnce_AndTheLogGoesOnInMemory()
    {
        // A file where the folder should be: the folder cannot be made.
        File.WriteAllText(Path.Combine(_directory, "default_web-1_uid"), "");
        var log = Log();
        log.Append("still");
        log.Append("logged");
        log.Flush();
        log.Complete();

        Assert.Single(_failures);
        Assert.Contains("cannot write the container log", _failures[0], StringComparison.Ordinal);
        Assert.Contains("the log is kept in memory only", _failures[0], StringComparison.Ordinal);
        Assert.Equal(["still", "logged"], log.Read().Lines.Select(l => l.Text));
        Assert.Empty(log.Files);
    }

    [Fact]
    public void AFileThatFailsOnTheWay_IsSaidOnce_AndReadsComeFromMemory()
    {
        // /dev/full takes the open and refuses every write, as a full disk does.
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        var log = new ContainerLog(_time, ContainerLog.DefaultCapacity, new ContainerLogFileSpec("/dev/full", ContainerLogSettings.Default), _failures.Add);
        log.Append("one");
        log.Flush();
        log.Append("two");
        log.Flush();

        Assert.Single(_failures);
        Assert.Contains("/dev/full", _failures[0], StringComparison.Ordinal);
        Assert.Equal(["one", "two"], log.Read().Lines.Select(l => l.Text));
    }

    [Fact]
    public void ContainerLogFiles_ThePathsOfTheKubelet_AndThePodsFolderRemoved()
    {
        var files = new ContainerLogFiles(_directory, () => new ContainerLogSettings(2048, 3));
        var spec = files.For("default", "web-1", "uid", "app", 2);

        Assert.Equal(Path.Combine(_directory, "default_web-1_uid", "app", "2.log"), spec.Path);
        Assert.Equal(new ContainerLogSettings(2048, 3), spec.Settings);
        var log = new ContainerLog(_time, file: spec);
        log.Append("x");
        log.Complete();
        Assert.True(File.Exists(spec.Path));

        Assert.True(files.RemovePod("default", "web-1", "uid"));
        Assert.False(Directory.Exists(files.FolderOf("default", "web-1", "uid")));
        Assert.True(files.RemovePod("default", "web-1", "uid"));
    }
}
