using Gateway.Admin;
using k8s;

namespace Gateway.Tests.Admin;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AdminKubeconfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("https://0.0.0.0:9090", "https://127.0.0.1:9090")]
    [InlineData("http://127.0.0.1:9090", "http://127.0.0.1:9090")]
    [InlineData("http://localhost:9090", "http://localhost:9090")]
    [InlineData("http://0.0.0.0:9090", "http://127.0.0.1:9090")]
    [InlineData("http://*:9090", "http://127.0.0.1:9090")]
    [InlineData("http://+:9090", "http://127.0.0.1:9090")]
    [InlineData("http://[::]:9090", "http://[::1]:9090")]
    [InlineData("http://[::1]:9090;http://127.0.0.1:9091", "http://[::1]:9090")]
    [InlineData("http://10.0.0.5:9090", "http://10.0.0.5:9090")]
    public void Server_ThisMachinesUrlForTheFirstBinding(string urls, string want) => Assert.Equal(want, AdminKubeconfig.Server(urls));

    [Fact]
    public void Write_KubernetesClientReadsServerTokenAndNamespace_Mode0600()
    {
        var path = Path.Combine(_folder, "gateway.kubeconfig");
        File.WriteAllText(path, "old");

        AdminKubeconfig.Write(path, "http://127.0.0.1:19090", "the-token");

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal("http://127.0.0.1:19090", config.Host.TrimEnd('/'));
        Assert.Equal("the-token", config.AccessToken);
        Assert.Equal("default", config.Namespace);
        Assert.Equal("gateway", config.CurrentContext);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["gateway.kubeconfig"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_Https_TheGatewaysCertificateIsTheAuthority()
    {
        var path = Path.Combine(_folder, "gateway.kubeconfig");
        using var certificate = AdminCertificate.Create([], new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

        AdminKubeconfig.Write(path, "https://127.0.0.1:19090", "the-token", certificate);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal(certificate.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        Assert.False(config.SkipTlsVerify);
    }

    // The kubeconfig is written as text (not with KubernetesYaml): every value must read back as the same string.
    [Theory]
    [InlineData("p7kS1CZdBI5XtVM_-UmgW9Jzeu3AEAvfqK")]
    [InlineData("7f3a-token")]
    [InlineData("-starts-with-a-dash")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("null")]
    [InlineData("12345")]
    [InlineData("1e3")]
    [InlineData("0x1F")]
    [InlineData("2026-12-02")]
    [InlineData("ends-with:")]
    [InlineData("a: b # not a comment")]
    [InlineData("quote\" backslash\\ tab\t")]
    [InlineData("ünïcödé+/=")]
    [InlineData("[flow]")]
    public void Write_AnyToken_ReadsBackTheSame(string token)
    {
        var path = Path.Combine(_folder, "gateway.kubeconfig");

        AdminKubeconfig.Write(path, "http://[::1]:19090", token);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal(token, config.AccessToken);
        Assert.Equal("http://[::1]:19090", config.Host.TrimEnd('/'));
    }

    [Theory]
    [InlineData("http://127.0.0.1:19090", "http://127.0.0.1:19090")]
    [InlineData("abc", "abc")]
    [InlineData("true", "\"true\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("a b", "\"a b\"")]
    public void Quoted_PlainOnlyWhereUnambiguous(string value, string want) => Assert.Equal(want, AdminKubeconfig.Quoted(value));
}
