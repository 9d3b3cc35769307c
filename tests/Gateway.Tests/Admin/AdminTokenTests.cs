using Gateway.Admin;

namespace Gateway.Tests.Admin;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AdminTokenTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-token-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Generate_Is256RandomBitsAsUrlSafeText()
    {
        var tokens = Enumerable.Range(0, 20).Select(_ => AdminToken.Generate()).ToList();

        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Theory]
    [InlineData("s3cret-token", true)]
    [InlineData("s3cret-tokeN", false)]
    [InlineData("s3cret-token ", false)]
    [InlineData("s3cret", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Matches_OnlyTheExactToken(string? given, bool want) => Assert.Equal(want, AdminToken.Matches(given, "s3cret-token"));

    [Fact]
    public void ReadOrCreate_NoFile_CreatesFolder0700AndToken0600()
    {
        var path = Path.Combine(_folder, "state", "admin-token");

        var token = AdminToken.ReadOrCreate(path, "Gateway:StateDirectory", out var error);

        Assert.Null(error);
        Assert.Equal(token, File.ReadAllText(path).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(["admin-token"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void ReadOrCreate_FileExists_KeepsItsToken()
    {
        var path = Path.Combine(_folder, "admin-token");
        File.WriteAllText(path, "kept-token\n");

        Assert.Equal("kept-token", AdminToken.ReadOrCreate(path, "Gateway:StateDirectory", out _));
    }

    [Fact]
    public async Task ReadOrCreate_ManyAtOnce_AllEndWithOneToken()
    {
        var path = Path.Combine(_folder, "admin-token");
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return AdminToken.ReadOrCreate(path, "Gateway:StateDirectory", out string? _);
        })).ToList();

        start.Set();
        var tokens = await Task.WhenAll(racers);

        Assert.Single(tokens.Distinct());
        Assert.NotNull(tokens[0]);
        Assert.Equal(tokens[0], File.ReadAllText(path).Trim());
        Assert.Equal(["admin-token"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("", "the admin token file is empty")]
    [InlineData(" \n", "the admin token file is empty")]
    [InlineData("two words", "the admin token must be one word of printable ASCII")]
    public void Read_BadContent_NamesTheFieldAndTheFix(string content, string want)
    {
        var path = Path.Combine(_folder, "token");
        File.WriteAllText(path, content);

        Assert.Null(AdminToken.Read(path, "Gateway:Admin:TokenFile", out var error));
        Assert.StartsWith($"Gateway:Admin:TokenFile: Invalid value: \"{path}\": {want}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Missing_IsAnErrorNotAnException()
    {
        var path = Path.Combine(_folder, "missing");

        Assert.Null(AdminToken.Read(path, "Gateway:Admin:TokenFile", out var error));
        Assert.StartsWith($"Gateway:Admin:TokenFile: Invalid value: \"{path}\": cannot read the admin token: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SecretWithTrailingNewline_IsTrimmed()
    {
        var path = Path.Combine(_folder, "token");
        File.WriteAllText(path, "from-a-secret\n");

        Assert.Equal("from-a-secret", AdminToken.Read(path, "Gateway:Admin:TokenFile", out _));
    }
}
