using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public sealed class FileFingerprintTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gateway-fingerprint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A ConfigMap volume: <c>name -> ..data/name</c>, <c>..data -> ..version/</c>.</summary>
    private string ConfigMap(string name, string version, string content)
    {
        Directory.CreateDirectory(PathOf(version));
        File.WriteAllText(Path.Combine(PathOf(version), name), content);
        File.CreateSymbolicLink(PathOf("..data"), version);
        File.CreateSymbolicLink(PathOf(name), Path.Combine("..data", name));
        return PathOf(name);
    }

    /// <summary>The kubelet's atomic swap: a new folder, a new link beside <c>..data</c>, renamed over it.</summary>
    private void Swap(string name, string version, string content)
    {
        Directory.CreateDirectory(PathOf(version));
        File.WriteAllText(Path.Combine(PathOf(version), name), content);
        File.CreateSymbolicLink(PathOf("..data_tmp"), version);
        Assert.Equal(0, Rename(PathOf("..data_tmp"), PathOf("..data")));
    }

    /// <summary>rename(2), which replaces a link atomically; File.Move and Directory.Move do not take a link to a folder.</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);

    [Fact]
    public void Of_UnchangedFile_Equal()
    {
        File.WriteAllText(PathOf("a.json"), "{}");

        Assert.Equal(FileFingerprint.Of(PathOf("a.json")), FileFingerprint.Of(PathOf("a.json")));
    }

    [Fact]
    public void Of_ContentChangedWithTheSameLengthAndTime_Differs()
    {
        var file = PathOf("a.json");
        File.WriteAllText(file, """{ "Replicas": 1 }""");
        var time = File.GetLastWriteTimeUtc(file);
        var before = FileFingerprint.Of(file);

        File.WriteAllText(file, """{ "Replicas": 2 }""");
        File.SetLastWriteTimeUtc(file, time);

        Assert.NotEqual(before, FileFingerprint.Of(file));
    }

    [Fact]
    public void Of_ConfigMapDataSwap_DiffersAlthoughTheLinkIsUntouched()
    {
        var file = ConfigMap("appsettings.json", "..2026_12_02_01", """{ "Replicas": 1 }""");
        var link = new FileInfo(file);
        var (linkTime, linkTarget) = (link.LastWriteTimeUtc, link.LinkTarget);
        var before = FileFingerprint.Of(file);

        Swap("appsettings.json", "..2026_12_02_02", """{ "Replicas": 2 }""");

        link.Refresh();
        Assert.Equal((linkTime, linkTarget), (link.LastWriteTimeUtc, link.LinkTarget));
        var after = FileFingerprint.Of(file);
        Assert.NotEqual(before, after);
        Assert.Equal(Path.Combine(_dir, "..data", "appsettings.json"), after.Target);
    }

    [Fact]
    public void Of_LinkRepointedToAFileWithTheSameContent_DiffersByTarget()
    {
        File.WriteAllText(PathOf("one.json"), "{}");
        File.WriteAllText(PathOf("two.json"), "{}");
        File.SetLastWriteTimeUtc(PathOf("two.json"), File.GetLastWriteTimeUtc(PathOf("one.json")));
        File.CreateSymbolicLink(PathOf("current.json"), "one.json");
        var before = FileFingerprint.Of(PathOf("current.json"));

        File.Delete(PathOf("current.json"));
        File.CreateSymbolicLink(PathOf("current.json"), "two.json");

        Assert.NotEqual(before, FileFingerprint.Of(PathOf("current.json")));
    }

    [Theory]
    [InlineData("missing.json", false)]
    [InlineData("dangling.json", true)]
    public void Of_NothingThere_MissingAndUnlikeAnyFile(string name, bool danglingLink)
    {
        if (danglingLink)
        {
            File.CreateSymbolicLink(PathOf(name), "nowhere.json");
        }

        var missing = FileFingerprint.Of(PathOf(name));

        Assert.Equal(-1, missing.Length);
        File.Delete(PathOf(name));
        File.WriteAllText(PathOf(name), "");
        Assert.NotEqual(missing, FileFingerprint.Of(PathOf(name)));
    }

    [Fact]
    public void Of_Device_ReadsABoundedPrefix()
    {
        var zero = FileFingerprint.Of("/dev/zero");

        Assert.Equal("/dev/zero", zero.Target);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(new byte[4096])), zero.ContentHash);
    }
}
