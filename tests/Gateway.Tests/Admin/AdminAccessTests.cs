using Gateway.Admin;
using Gateway.Specs;

namespace Gateway.Tests.Admin;

public sealed class AdminAccessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-access-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string SettingsPath => Path.Combine(_folder, "config", "appsettings.json");

    private GatewaySpec Spec(string adminUrls = "http://127.0.0.1:19090", string? tokenFile = null, string? kubeconfig = null) =>
        new("http://127.0.0.1:18080", adminUrls, [])
        {
            StateDirectory = Path.Combine(_folder, "state"),
            AdminAccess = new AdminAccessSpec(tokenFile, kubeconfig, ["gateway.example"]),
        };

    [Fact]
    public void Prepare_Defaults_TokenInStateFolderKubeconfigBesideSettings()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsPath)!);

        var access = AdminAccess.Prepare(Spec(), SettingsPath, out var error);

        Assert.Null(error);
        Assert.NotNull(access);
        Assert.Equal(Path.Combine(_folder, "state", "admin-token"), access.TokenFile);
        Assert.Equal(access.Token, File.ReadAllText(access.TokenFile).Trim());
        Assert.Equal(Path.Combine(_folder, "config", "gateway.kubeconfig"), access.Kubeconfig);
        Assert.Contains($"token: {AdminKubeconfig.Quoted(access.Token)}", File.ReadAllText(access.Kubeconfig), StringComparison.Ordinal); // quoted when the token starts with - or _
        Assert.True(access.LoopbackOnly);
        Assert.Equal(["gateway.example"], access.Hosts);
    }

    [Fact]
    public void Prepare_SecondStart_KeepsTheToken()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsPath)!);
        var first = AdminAccess.Prepare(Spec(), SettingsPath, out _)!;

        var second = AdminAccess.Prepare(Spec(), SettingsPath, out _)!;

        Assert.Equal(first.Token, second.Token);
    }

    [Fact]
    public void Prepare_SettingsFolderNotWritable_KubeconfigInStateFolder()
    {
        // A file where the settings folder would be: unwritable even for root, unlike a chmod.
        File.WriteAllText(Path.Combine(_folder, "config"), "");

        var access = AdminAccess.Prepare(Spec(), SettingsPath, out var error);

        Assert.Null(error);
        Assert.Equal(Path.Combine(_folder, "state", "gateway.kubeconfig"), access!.Kubeconfig);
    }

    [Fact]
    public void Prepare_ConfiguredTokenFile_IsReadNotWritten()
    {
        var tokenFile = Path.Combine(_folder, "secret-token");
        File.WriteAllText(tokenFile, "from-the-secret\n");

        var access = AdminAccess.Prepare(Spec("http://0.0.0.0:19090", tokenFile, Path.Combine(_folder, "out", "k.kubeconfig")), SettingsPath, out var error);

        Assert.Null(error);
        Assert.Equal("from-the-secret", access!.Token);
        Assert.False(access.LoopbackOnly);
        Assert.Equal(Path.Combine(_folder, "out", "k.kubeconfig"), access.Kubeconfig);
        Assert.Contains("server: http://127.0.0.1:19090", File.ReadAllText(access.Kubeconfig), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "state")));
    }

    [Theory]
    [InlineData("http://0.0.0.0:19090")]
    [InlineData("http://127.0.0.1:19090")]
    public void Prepare_ConfiguredTokenFileMissing_RefusesToStart(string adminUrls)
    {
        var tokenFile = Path.Combine(_folder, "no-such-token");

        Assert.Null(AdminAccess.Prepare(Spec(adminUrls, tokenFile), SettingsPath, out var error));
        Assert.StartsWith($"Gateway:Admin:TokenFile: Invalid value: \"{tokenFile}\": cannot read the admin token: ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(tokenFile));
    }

    [Fact]
    public void Prepare_KubeconfigNotWritable_NamesTheSetting()
    {
        File.WriteAllText(Path.Combine(_folder, "file"), "");
        var kubeconfig = Path.Combine(_folder, "file", "gateway.kubeconfig");

        Assert.Null(AdminAccess.Prepare(Spec(kubeconfig: kubeconfig), SettingsPath, out var error));
        Assert.StartsWith($"Gateway:Admin:Kubeconfig: Invalid value: \"{kubeconfig}\": cannot write the admin kubeconfig (", error, StringComparison.Ordinal);
        Assert.EndsWith("): set it to a writable file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_Https_MakesACertificateInTheStateFolderAndTrustsItInTheKubeconfig()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsPath)!);

        var access = AdminAccess.Prepare(Spec("https://0.0.0.0:19443"), SettingsPath, out var error);

        Assert.Null(error);
        Assert.NotNull(access!.Certificate);
        Assert.True(File.Exists(Path.Combine(_folder, "state", AdminCertificate.FileName)));
        var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(access.Kubeconfig);
        Assert.Equal("https://127.0.0.1:19443", config.Host.TrimEnd('/'));
        Assert.Equal(access.Certificate.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
    }

    [Fact]
    public void Prepare_Http_NoCertificate()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsPath)!);

        Assert.Null(AdminAccess.Prepare(Spec(), SettingsPath, out _)!.Certificate);
        Assert.False(File.Exists(Path.Combine(_folder, "state", AdminCertificate.FileName)));
    }
}
